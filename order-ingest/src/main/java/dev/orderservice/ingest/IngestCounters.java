package dev.orderservice.ingest;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

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

  void batchDone(int records, long nanos) {
    recordsConsumed.addAndGet(records);
    batches.incrementAndGet();
    batchRecords.addAndGet(records);
    batchNanos.addAndGet(nanos);
    batchNanosMax.accumulate(nanos);
    if (batchDuration != null) {
      batchDuration.record(nanos, TimeUnit.NANOSECONDS);
      batchSize.record(records);
    }
  }

  /**
   * Registers the meters in {@code registry}, each with {@code tags}. Names (as Prometheus shows
   * them): {@code order_ingest_records_total}, {@code order_ingest_orders_total{outcome}}, {@code
   * order_ingest_rejected_total{stage}}, {@code order_ingest_dead_letters_total}, {@code
   * order_ingest_retries_total}, {@code order_ingest_rebalances_total}, {@code
   * order_ingest_paused}, {@code order_ingest_records_unreadable_total}, {@code
   * order_ingest_records_read_again_total}, {@code order_ingest_batch_duration_seconds} and {@code
   * order_ingest_batch_size} (histograms).
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
