package dev.orderservice.ingest;

import dev.orderservice.domain.TraceLog;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offsets of settled batches (orders committed in PostgreSQL, dead letters acknowledged) that
 * are neither recorded in the database nor committed to Kafka yet. Recording (a database
 * transaction) and committing (a broker round trip) cost the ingest thread as much as storing a
 * small batch; done for every batch, at a steady moderate rate they made each batch wait for the
 * last one's. So they are done for several batches together: {@link #INTERVAL} after the oldest one
 * settled, at once when nothing else is in hand (the ingest has caught up), and before partitions
 * go or the ingest closes.
 *
 * <p>What is settled but not recorded is read again, from {@link #dropToReadAgain()}, whenever a
 * failure or a positions check says the database may not hold it; its orders are then DUPLICATE, or
 * stored again if the database lost them. The database's positions are always recorded before the
 * same offsets are committed to Kafka.
 *
 * <p>Not thread safe: used by the ingest thread only (the rebalance listener included).
 */
final class SettledOffsets {

  /** The longest a settled batch waits for its offsets to be recorded and committed. */
  static final Duration INTERVAL = Duration.ofMillis(100);

  // The component's logger, not this class's: operators set one logger's level for the ingest.
  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  private final Consumer<byte[], byte[]> consumer;
  private final PositionKeeper positions;
  private final IngestCounters counters;
  private final IngestTracing tracing;
  private final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
  private final Map<TopicPartition, OffsetAndMetadata> first = new HashMap<>();
  private final List<Batch> batches = new ArrayList<>();
  private long oldestNanos;

  SettledOffsets(
      Consumer<byte[], byte[]> consumer,
      PositionKeeper positions,
      IngestCounters counters,
      IngestTracing tracing) {
    this.consumer = consumer;
    this.positions = positions;
    this.counters = counters;
    this.tracing = tracing;
  }

  /** Adds a settled batch, the next in poll order. */
  void add(Batch batch) {
    if (next.isEmpty()) {
      oldestNanos = System.nanoTime();
    }
    batches.add(batch);
    batch
        .nextOffsets()
        .forEach((partition, offset) -> next.merge(partition, offset, SettledOffsets::later));
    batch.firstOffsets().forEach(first::putIfAbsent); // an earlier batch's first stays first
  }

  boolean isEmpty() {
    return next.isEmpty();
  }

  /** Whether the oldest settled batch has waited {@link #INTERVAL}. */
  boolean isDue() {
    return !next.isEmpty() && System.nanoTime() - oldestNanos >= INTERVAL.toNanos();
  }

  /**
   * Records the offsets in the database, then commits them to Kafka: in the background, or, with
   * {@code sync} (partitions going, the ingest closing), waiting for the broker. Once recorded,
   * they are no longer held here: the database's positions say where to go on from.
   *
   * <p>Traced as one span ({@value IngestTracing#COMMIT}), a child of the oldest batch's span and
   * linked to the others', from the recording until the broker answers the commit; the batches'
   * spans end once their offsets are recorded and the commit is sent.
   *
   * @throws RuntimeException what recording throws (then everything stays held, see {@link
   *     PositionKeeper#record}), or a synchronous commit's failure
   */
  void flush(boolean sync) {
    if (next.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = Map.copyOf(next);
    Span span = tracing.startCommit(batches);
    try (TraceLog current = TraceLog.of(span)) {
      positions.record(offsets);
      long now = System.nanoTime();
      batches.forEach(batch -> counters.batchCommitted(batch, now));
      batches.forEach(batch -> batch.trace().end());
      clear();
      if (sync) {
        commitSync(offsets);
        span.end();
      } else {
        consumer.commitAsync(offsets, (committed, e) -> committed(span, e));
      }
    } catch (RuntimeException e) {
      IngestTracing.failed(span, e);
      span.end();
      throw e;
    }
  }

  private static void committed(Span span, Exception failure) {
    if (failure != null) {
      // A later commit covers these offsets; the database holds them meanwhile.
      LOG.info("an offset commit failed, a later one covers it: {}", failure.toString());
      IngestTracing.failed(span, failure);
    }
    span.end();
  }

  /** Forgets what is held and returns where to read it again: each partition's first offset. */
  Map<TopicPartition, OffsetAndMetadata> dropToReadAgain() {
    Map<TopicPartition, OffsetAndMetadata> readAgain = new HashMap<>(first);
    batches.forEach(batch -> batch.trace().abandon());
    clear();
    return readAgain;
  }

  /**
   * Forgets what is held of partitions that went elsewhere without a commit (lost): their new owner
   * reads those records again and counts them, so the batches that touch them are not counted here.
   */
  void forget(Set<TopicPartition> partitions) {
    batches.stream().filter(b -> b.touches(partitions)).forEach(b -> b.trace().abandon());
    batches.removeIf(batch -> batch.touches(partitions));
    next.keySet().removeAll(partitions);
    first.keySet().removeAll(partitions);
    if (next.isEmpty()) {
      clear();
    }
  }

  private void clear() {
    next.clear();
    first.clear();
    batches.clear();
  }

  private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException e) {
      // close() arrived mid-commit: the batches are done, so their commit is still owed.
      consumer.commitSync(offsets);
    }
  }

  private static OffsetAndMetadata later(OffsetAndMetadata a, OffsetAndMetadata b) {
    return a.offset() >= b.offset() ? a : b;
  }
}
