package dev.orderservice.domain;

/** What an idempotent store did with one order. */
public enum SaveOutcome {
  /** The order was new and is now stored. */
  INSERTED,
  /** An order with the same uid and the same content was already stored: nothing was written. */
  DUPLICATE,
  /** An order with the same uid but different content is stored: nothing was written. */
  CONFLICT
}
