package dev.orderservice.domain;

/**
 * The store could not do what was asked. {@link #isTransient()} tells a caller whether the same
 * call may succeed later (the database is unreachable, restarting, overloaded) or will fail again
 * (a defect or a constraint the data breaks).
 */
public class OrderStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final boolean transientFailure;

  public OrderStoreException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  /** Whether retrying the same call later may succeed. */
  public boolean isTransient() {
    return transientFailure;
  }
}
