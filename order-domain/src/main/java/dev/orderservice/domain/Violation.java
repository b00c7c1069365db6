package dev.orderservice.domain;

import java.util.Objects;

/**
 * One reason an order is invalid.
 *
 * @param path the JSON path of the offending value, e.g. {@code items[0].price}
 * @param reason what the value must be, e.g. {@code must be >= 0}; never the value itself, so a
 *     violation can be logged and sent to a dead-letter topic without leaking personal data
 */
public record Violation(String path, String reason) {

  public Violation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }

  /** {@code path: reason}. */
  @Override
  public String toString() {
    return path + ": " + reason;
  }
}
