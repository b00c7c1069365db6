package dev.orderservice.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/** The live counters behind {@link IngestMetrics}: written by the ingest thread, read by anyone. */
final class IngestCounters {

  final AtomicLong recordsConsumed = new AtomicLong();
  final AtomicLong ordersInserted = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLongArray rejected = new AtomicLongArray(RejectionStage.values().length);
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong batches = new AtomicLong();
  final AtomicLong batchRecords = new AtomicLong();
  final AtomicLong batchNanos = new AtomicLong();
  final LongAccumulator batchNanosMax = new LongAccumulator(Math::max, 0);
  final AtomicLong consumerLag = new AtomicLong();
  final AtomicLong rebalances = new AtomicLong();

  void batchDone(int records, long nanos) {
    recordsConsumed.addAndGet(records);
    batches.incrementAndGet();
    batchRecords.addAndGet(records);
    batchNanos.addAndGet(nanos);
    batchNanosMax.accumulate(nanos);
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
        byStage,
        deadLettered.get(),
        retries.get(),
        batches.get(),
        batchRecords.get(),
        batchNanos.get(),
        batchNanosMax.get(),
        consumerLag.get(),
        rebalances.get());
  }
}
