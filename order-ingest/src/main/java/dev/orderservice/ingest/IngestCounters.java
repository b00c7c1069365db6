package dev.orderservice.ingest;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * The live counters of an {@link OrderIngest}: written by the ingest thread, read by anyone, as an
 * {@link IngestMetrics} snapshot and, when a registry is given, as Micrometer meters that read the
 * same counters (nothing is counted twice). Each counter is declared here and bound here: adding
 * one touches this file and {@link IngestMetrics}.
 */
final class IngestCounters {

  final AtomicLong recordsConsumed = new AtomicLong();
  final AtomicLong ordersInserted = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong conflicts = new AtomicLong();
  final AtomicLongArray rejected = new AtomicLongArray(RejectionStage.values().length);
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong batches = new AtomicLong();
  final AtomicLong batchRecords = new AtomicLong();
  final AtomicLong batchNanos = new AtomicLong();
  final LongAccumulator batchNanosMax = new LongAccumulator(Math::max, 0);
  final AtomicLong rebalances = new AtomicLong();
  final AtomicLong paused = new AtomicLong();
  final AtomicLong recordsUnreadable = new AtomicLong();
  final AtomicLong recordsReadAgain = new AtomicLong();

  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry registry;
  private Timer batchDuration;
  private DistributionSummary batchSize;
  private Timer sentToPolled;
  private Timer polledToStored;
  private Timer storedToCommitted;

  /**
   * Counts a batch whose offsets were recorded and committed ({@code nowNanos}): its records, its
   * outcomes, its dead letters, its time since the poll and, once for each of its records, its
   * stages: from the record's timestamp (the producer's clock, when the topic keeps the producer's
   * time) to the poll that returned it, from the poll to the end of the batch's store, and from
   * there to now. A batch dropped before that (to be read again) is not counted.
   */
  void batchCommitted(Batch batch, long nowNanos) {
    long nanos = nowNanos - batch.polledAtNanos();
    recordsConsumed.addAndGet(batch.size());
    batches.incrementAndGet();
    batchRecords.addAndGet(batch.size());
    batchNanos.addAndGet(nanos);
    batchNanosMax.accumulate(nanos);
    ordersInserted.addAndGet(batch.inserted());
    duplicates.addAndGet(batch.duplicates());
    conflicts.addAndGet(batch.conflicts());
    for (DeadLetter letter : batch.deadLetters()) {
      rejected.incrementAndGet(letter.stage().ordinal());
    }
    deadLettered.addAndGet(batch.deadLetters().size());
    if (batchDuration == null) {
      return;
    }
    batchDuration.record(nanos, TimeUnit.NANOSECONDS);
    batchSize.record(batch.size());
    long stored = batch.storedAtNanos();
    for (ConsumerRecord<byte[], byte[]> record : batch.records()) {
      polledToStored.record(stored - batch.polledAtNanos(), TimeUnit.NANOSECONDS);
      storedToCommitted.record(nowNanos - stored, TimeUnit.NANOSECONDS);
      if (record.timestampType() == TimestampType.CREATE_TIME) {
        long waited = batch.polledAtMillis() - record.timestamp();
        sentToPolled.record(Math.max(0, waited), TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Registers the meters in {@code registry}, each with {@code tags}. Names (as Prometheus shows
   * them): {@code order_ingest_records_total}, {@code order_ingest_orders_total{outcome}}, {@code
   * order_ingest_rejected_total{stage}}, {@code order_ingest_dead_letters_total}, {@code
   * order_ingest_retries_total}, {@code order_ingest_rebalances_total}, {@code
   * order_ingest_paused}, {@code order_ingest_records_unreadable_total}, {@code
   * order_ingest_records_read_again_total}, {@code order_ingest_batch_duration_seconds}, {@code
   * order_ingest_batch_size} and {@code order_ingest_stage_seconds{stage}} (histograms).
   */
  void bindTo(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    counter(
        "order.ingest.records",
        "Kafka records consumed, finished and committed.",
        tags,
        recordsConsumed);
    counter(
        "order.ingest.orders",
        "Orders stored, by outcome.",
        tags.and("outcome", "inserted"),
        ordersInserted);
    counter(
        "order.ingest.orders",
        "Orders stored, by outcome.",
        tags.and("outcome", "duplicate"),
        duplicates);
    counter(
        "order.ingest.orders",
        "Orders stored, by outcome.",
        tags.and("outcome", "conflict"),
        conflicts);
    for (RejectionStage stage : RejectionStage.values()) {
      int index = stage.ordinal();
      meters.add(
          FunctionCounter.builder("order.ingest.rejected", rejected, r -> r.get(index))
              .description("Records rejected, by the Kafka Connect stage that rejected them.")
              .tags(tags.and("stage", stage.name()))
              .register(registry));
    }
    counter(
        "order.ingest.dead.letters",
        "Records the dead-letter topic acknowledged.",
        tags,
        deadLettered);
    counter("order.ingest.retries", "Transient failures retried after a backoff.", tags, retries);
    counter(
        "order.ingest.rebalances",
        "Times partitions were revoked from or lost by this consumer, a clean close not counted.",
        tags,
        rebalances);
    meters.add(
        Gauge.builder("order.ingest.paused", paused, AtomicLong::get)
            .description("1 while the consumer is paused to retry a transient failure, else 0.")
            .tags(tags)
            .register(registry));
    counter(
        "order.ingest.records.unreadable",
        "Records the database had not stored that the topic no longer holds (deleted by retention).",
        tags,
        recordsUnreadable);
    counter(
        "order.ingest.records.read.again",
        "Records read again because the database was behind (a failover, a restore).",
        tags,
        recordsReadAgain);
    batchDuration =
        Timer.builder("order.ingest.batch.duration")
            .description("Time from a poll to the commit of its batch.")
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry);
    batchSize =
        DistributionSummary.builder("order.ingest.batch.size")
            .description("Records in a committed batch.")
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry);
    meters.add(batchDuration);
    meters.add(batchSize);
    sentToPolled = stage(registry, tags, "sent_to_polled");
    polledToStored = stage(registry, tags, "polled_to_stored");
    storedToCommitted = stage(registry, tags, "stored_to_committed");
  }

  private Timer stage(MeterRegistry registry, Tags tags, String stage) {
    Timer timer =
        Timer.builder("order.ingest.stage")
            .description(
                "Per record: sent_to_polled (producer's timestamp to the poll), polled_to_stored"
                    + " (to its batch's store ending), stored_to_committed (to its offsets recorded"
                    + " in the database and their commit sent).")
            .tags(tags.and("stage", stage))
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    meters.add(timer);
    return timer;
  }

  /** Removes the meters from the registry they were bound to. */
  void unbind() {
    if (registry != null) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  private void counter(String name, String description, Tags tags, AtomicLong value) {
    meters.add(
        FunctionCounter.builder(name, value, AtomicLong::get)
            .description(description)
            .tags(tags)
            .register(registry));
  }

  IngestMetrics snapshot() {
    Map<RejectionStage, Long> byStage = new EnumMap<>(RejectionStage.class);
    for (RejectionStage stage : RejectionStage.values()) {
      byStage.put(stage, rejected.get(stage.ordinal()));
    }
    return new IngestMetrics(
        recordsConsumed.get(),
        ordersInserted.get(),
        duplicates.get(),
        conflicts.get(),
        byStage,
        deadLettered.get(),
        retries.get(),
        batches.get(),
        batchRecords.get(),
        batchNanos.get(),
        batchNanosMax.get(),
        rebalances.get(),
        paused.get() == 1,
        recordsUnreadable.get(),
        recordsReadAgain.get());
  }
}
