package dev.orderservice.domain;

import java.util.List;
import java.util.Objects;

/**
 * What {@link OrderService} did with one order.
 *
 * @param orderUid the order's uid as given; may be blank or malformed for an {@link Status#INVALID}
 *     order
 * @param violations why the order is invalid; empty unless {@code status} is {@link Status#INVALID}
 */
public record AcceptResult(String orderUid, Status status, List<Violation> violations) {

  /** The four ways an order can end. */
  public enum Status {
    /** New, now stored and cached. */
    INSERTED,
    /** Already stored with the same content; nothing was written. */
    DUPLICATE,
    /** Another order with this uid and different content is stored; nothing was written. */
    CONFLICT,
    /** Broke a rule of {@link OrderValidator}; never reached the store. */
    INVALID
  }

  public AcceptResult {
    Objects.requireNonNull(status, "status");
    violations = List.copyOf(violations);
    orderUid = orderUid == null ? "" : orderUid;
  }

  static AcceptResult saved(SaveResult saved) {
    Status status =
        switch (saved.outcome()) {
          case INSERTED -> Status.INSERTED;
          case DUPLICATE -> Status.DUPLICATE;
          case CONFLICT -> Status.CONFLICT;
        };
    return new AcceptResult(saved.orderUid(), status, List.of());
  }

  static AcceptResult invalid(String orderUid, List<Violation> violations) {
    return new AcceptResult(orderUid, Status.INVALID, violations);
  }

  /** Whether the order is stored with this content now (inserted or an identical repeat). */
  public boolean isStored() {
    return status == Status.INSERTED || status == Status.DUPLICATE;
  }
}
