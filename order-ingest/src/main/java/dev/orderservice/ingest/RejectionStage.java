package dev.orderservice.ingest;

/**
 * Where in the pipeline a record was rejected, written to the dead-letter copy as the {@code
 * __connect.errors.stage} header with Kafka Connect's names, so tools that read Connect's
 * dead-letter topics read ours.
 */
public enum RejectionStage {
  /** The bytes are not an order: bad JSON, wrong types, unknown fields, too large. */
  VALUE_CONVERTER,
  /** The order broke a validation rule. */
  TRANSFORMATION,
  /**
   * The store refused the order: another order with the same uid and different content is stored,
   * or the database rejected this order's values.
   */
  TASK_PUT
}
