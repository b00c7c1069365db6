package dev.orderservice.ingest;

import java.util.Map;

/**
 * A consistent-enough snapshot of an {@link OrderIngest}'s counters since it was built, for a
 * runner to publish (Prometheus, logs, a health page). Counters only grow.
 *
 * @param recordsConsumed records taken from the topic and finished (stored, duplicate or
 *     dead-lettered) and committed
 * @param ordersInserted orders the store wrote
 * @param duplicates orders that were already stored with the same content
 * @param rejectedByStage rejected records by stage (every stage present, zero or more)
 * @param deadLettered records the dead-letter topic acknowledged
 * @param retries transient failures that were retried (database, broker, dead-letter publishing)
 * @param batches batches finished and committed
 * @param batchRecordsTotal records in those batches, for the mean batch size
 * @param batchLatencyNanosTotal time from poll to commit summed over those batches
 * @param batchLatencyNanosMax the longest of those times
 * @param consumerLag records on the assigned partitions not yet consumed, as of the last poll
 * @param rebalances how often partitions were revoked or lost from this consumer
 */
public record IngestMetrics(
    long recordsConsumed,
    long ordersInserted,
    long duplicates,
    Map<RejectionStage, Long> rejectedByStage,
    long deadLettered,
    long retries,
    long batches,
    long batchRecordsTotal,
    long batchLatencyNanosTotal,
    long batchLatencyNanosMax,
    long consumerLag,
    long rebalances) {

  public IngestMetrics {
    rejectedByStage = Map.copyOf(rejectedByStage);
  }

  /** Rejected records of every stage. */
  public long rejected() {
    return rejectedByStage.values().stream().mapToLong(Long::longValue).sum();
  }
}
