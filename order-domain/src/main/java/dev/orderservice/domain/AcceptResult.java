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

  /** The ways a document can end. */
  public enum Status {
    /** New, now stored and cached. */
    INSERTED,
    /** Already stored with the same content; nothing was written. */
    DUPLICATE,
    /** Another order with this uid and different content is stored; nothing was written. */
    CONFLICT,
    /** Broke a rule of {@link OrderValidator}; never reached the store. */
    INVALID,
    /**
     * Not an order at all: not well-formed JSON, or not the order's shape ({@link OrderCodec});
     * never reached the store. The one violation says where and what.
     */
    UNREADABLE
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

  static AcceptResult unreadable(String orderUid, DecodeResult.Failed failure) {
    return new AcceptResult(
        orderUid, Status.UNREADABLE, List.of(new Violation("", failure.reason())));
  }

  /**
   * What became of the order in one line, for logs, dead letters and reports; quotes no field
   * values: {@code inserted}, {@code duplicate}, {@code order_uid X is stored with different
   * content}, the violations as {@code path: reason; ...}, or where and why it is unreadable.
   */
  public String describe() {
    return switch (status) {
      case INSERTED -> "inserted";
      case DUPLICATE -> "duplicate of the stored order";
      case CONFLICT -> "order_uid " + orderUid + " is stored with different content";
      case INVALID -> String.join("; ", violations.stream().map(Violation::toString).toList());
      case UNREADABLE -> violations.isEmpty() ? "unreadable" : violations.get(0).reason();
    };
  }

  /** Whether the document never reached the store: unreadable or invalid. */
  public boolean isRejectedBeforeStore() {
    return status == Status.INVALID || status == Status.UNREADABLE;
  }

  /** Whether the order is stored with this content now (inserted or an identical repeat). */
  public boolean isStored() {
    return status == Status.INSERTED || status == Status.DUPLICATE;
  }
}
