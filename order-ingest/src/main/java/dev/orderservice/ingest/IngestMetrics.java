package dev.orderservice.ingest;

import java.util.Map;

/**
 * A consistent-enough snapshot of an {@link OrderIngest}'s counters since it was built, for code
 * that reads them directly (tests, a health page); the same counters are meters in the registry
 * given to {@link OrderIngest.Builder#meterRegistry}. Counters only grow.
 *
 * @param recordsConsumed records taken from the topic and finished (stored, duplicate or
 *     dead-lettered) and committed
 * @param ordersInserted orders the store wrote
 * @param duplicates orders that were already stored with the same content
 * @param conflicts orders whose uid is stored with other content (dead-lettered at {@code
 *     TASK_PUT})
 * @param rejectedByStage rejected records by stage (every stage present, zero or more)
 * @param deadLettered records the dead-letter topic acknowledged
 * @param retries transient failures that were retried (database, broker, dead-letter publishing)
 * @param batches batches finished and committed
 * @param batchRecordsTotal records in those batches, for the mean batch size
 * @param batchLatencyNanosTotal time from poll to commit summed over those batches
 * @param batchLatencyNanosMax the longest of those times
 * @param rebalances how often partitions were revoked or lost from this consumer, a clean close not
 *     counted
 * @param paused whether the consumer is paused now to retry a transient failure
 * @param recordsUnreadable records past the database's position that the topic no longer held when
 *     the ingest went to read them (deleted by retention): lost, logged as an error
 * @param recordsReadAgain records read again because the database's position was behind the group's
 *     committed offset or behind what this ingest had stored (a failover, a restore)
 */
public record IngestMetrics(
    long recordsConsumed,
    long ordersInserted,
    long duplicates,
    long conflicts,
    Map<RejectionStage, Long> rejectedByStage,
    long deadLettered,
    long retries,
    long batches,
    long batchRecordsTotal,
    long batchLatencyNanosTotal,
    long batchLatencyNanosMax,
    long rebalances,
    boolean paused,
    long recordsUnreadable,
    long recordsReadAgain) {

  public IngestMetrics {
    rejectedByStage = Map.copyOf(rejectedByStage);
  }

  /** Rejected records of every stage. */
  public long rejected() {
    return rejectedByStage.values().stream().mapToLong(Long::longValue).sum();
  }
}
