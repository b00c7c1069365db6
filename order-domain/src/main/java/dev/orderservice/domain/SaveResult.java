package dev.orderservice.domain;

import java.util.Objects;

/** The outcome of storing one order, by {@code order_uid}. */
public record SaveResult(String orderUid, SaveOutcome outcome) {

  public SaveResult {
    Objects.requireNonNull(orderUid, "orderUid");
    Objects.requireNonNull(outcome, "outcome");
  }
}
