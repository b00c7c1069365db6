package dev.orderservice.ingest;

import dev.orderservice.domain.IngestPositions;
import dev.orderservice.domain.OrderStoreException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database's own record of how far the ingest has stored each partition ({@link
 * IngestPositions}), and what the ingest does with it: records a settled batch's next offsets
 * before they are committed to Kafka; seeks newly assigned partitions by it; and, periodically and
 * after a transient failure, compares it with what this ingest recorded, to read again what the
 * database no longer has (a failover to a standby that missed commits, a restore).
 *
 * <p>Without positions every method does nothing: the ingest then starts where the group's
 * committed offsets say, as Kafka decides.
 *
 * <p>Not thread safe: used by the ingest thread only (the rebalance listener included). Every
 * method that reads or writes the database blocks on it.
 */
final class PositionKeeper {

  // The component's logger, not this class's: operators set one logger's level for the ingest.
  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  private final IngestPositions positions;
  private final Consumer<byte[], byte[]> consumer;
  private final String group;
  private final String topic;
  private final IngestCounters counters;
  private final long intervalNanos;

  /** Per partition, how far the database holds at least: what it said, or what was recorded. */
  private final Map<TopicPartition, Long> recorded = new HashMap<>();

  /** Partitions assigned while the database could not be read: to be sought when it answers. */
  private final Set<TopicPartition> unchecked = new HashSet<>();

  private long nextCheckNanos;
  private boolean afterFailure;

  /**
   * @param positions the database's positions, or null for none
   * @param interval how often the database's positions are compared with what was recorded
   */
  PositionKeeper(
      IngestPositions positions,
      Consumer<byte[], byte[]> consumer,
      String group,
      String topic,
      IngestCounters counters,
      Duration interval) {
    this.positions = positions;
    this.consumer = consumer;
    this.group = group;
    this.topic = topic;
    this.counters = counters;
    this.intervalNanos = interval.toNanos();
    this.nextCheckNanos = System.nanoTime() + intervalNanos;
  }

  /**
   * Records the next offsets of a settled batch, in one transaction: after the transactions that
   * stored its orders committed, before its offsets are committed to Kafka; and only if the
   * database still holds what was recorded before, or newer positions would hide what it lost.
   *
   * @throws OrderStoreException as a store does, transient or not; and, transient, if the database
   *     no longer holds what was recorded (then {@link #check} is due, and finds where to read
   *     again)
   */
  void record(Map<TopicPartition, OffsetAndMetadata> nextOffsets) {
    if (positions == null) {
      return;
    }
    Map<Integer, Long> byPartition = new HashMap<>();
    Map<Integer, Long> held = new HashMap<>();
    nextOffsets.forEach(
        (partition, offset) -> {
          byPartition.put(partition.partition(), offset.offset());
          Long before = recorded.get(partition);
          if (before != null) {
            held.put(partition.partition(), before);
          }
        });
    if (!positions.recordIfHeld(group, topic, held, byPartition)) {
      afterFailure = true;
      throw new OrderStoreException(
          "could not record the ingest's positions: the database no longer holds those recorded"
              + " before (failover or restore?)",
          true,
          null);
    }
    nextOffsets.forEach((partition, offset) -> recorded.put(partition, offset.offset()));
  }

  /**
   * Partitions came (inside {@code poll()}): each one the database has a position of is sought to
   * it (see {@link #startPositions}). If the database cannot be read now, they start where Kafka
   * says and are sought at the next {@link #check}, which is then due.
   */
  void assigned(Collection<TopicPartition> partitions) {
    if (positions == null || partitions.isEmpty()) {
      return;
    }
    try {
      startPositions(Set.copyOf(partitions)).forEach(consumer::seek);
    } catch (RuntimeException e) {
      LOG.warn(
          "could not read the database's positions of {}; seeking by them once it answers: {}",
          partitions,
          e.toString());
      unchecked.addAll(partitions);
      afterFailure = true;
    }
  }

  /** Partitions went: what was recorded of them is another consumer's business now. */
  void revoked(Collection<TopicPartition> partitions) {
    recorded.keySet().removeAll(partitions);
    unchecked.removeAll(partitions);
  }

  /** A step failed transiently (the database may have been away): check before the next one. */
  void failed() {
    afterFailure = positions != null;
  }

  /** Whether {@link #check} is due: its interval passed, a step failed, or partitions wait. */
  boolean isDue() {
    return positions != null
        && (afterFailure || !unchecked.isEmpty() || System.nanoTime() - nextCheckNanos >= 0);
  }

  /**
   * Reads the database's positions of the assigned partitions and says where to read again: where
   * the database is behind what this ingest recorded in it (it lost transactions), and where
   * partitions assigned while it could not be read start. Logs how far each goes back.
   *
   * @return the offset to seek each such partition to; empty if the database has all it should
   * @throws dev.orderservice.domain.OrderStoreException if the database cannot be read; the check
   *     stays due
   */
  Map<TopicPartition, Long> check() {
    afterFailure = true; // until it succeeds
    nextCheckNanos = System.nanoTime() + intervalNanos;
    Set<TopicPartition> assignment = consumer.assignment();
    Set<TopicPartition> waiting = new HashSet<>(unchecked);
    waiting.retainAll(assignment);
    Map<TopicPartition, Long> seeks = new HashMap<>(startPositions(waiting));
    unchecked.clear();
    Set<TopicPartition> watched = new HashSet<>(recorded.keySet());
    watched.retainAll(assignment);
    watched.removeAll(waiting);
    if (!watched.isEmpty()) {
      Map<Integer, Long> held = positions.read(group, topic, numbers(watched));
      Map<TopicPartition, Long> logStart = consumer.beginningOffsets(watched);
      for (TopicPartition partition : watched) {
        long expected = recorded.get(partition);
        long actual = held.getOrDefault(partition.partition(), logStart.get(partition));
        if (actual < expected) {
          seeks.put(partition, readAgainFrom(partition, expected, actual, logStart));
        }
      }
    }
    afterFailure = false;
    return seeks;
  }

  private long readAgainFrom(
      TopicPartition partition, long expected, long actual, Map<TopicPartition, Long> logStart) {
    long from = Math.max(actual, logStart.get(partition));
    LOG.warn(
        "partition {}: the database is {} records behind what this ingest stored in it"
            + " (failover or restore?); reading them again from offset {}",
        partition,
        String.format("%,d", expected - actual),
        from);
    recorded.put(partition, actual);
    if (actual < from) {
      unreadable(partition, actual, from);
    }
    counters.recordsReadAgain.addAndGet(expected - from);
    return from;
  }

  /**
   * Where newly assigned partitions start by the database's positions: the group's own, else (the
   * group has no committed offset either, e.g. it was renamed) the furthest any group recorded.
   * Where the database is behind the group's committed offset, it reads the difference again; where
   * it is ahead or the group has none, it goes on from the database's; where the topic no longer
   * holds the database's offset, from the earliest it holds. Partitions without a position are not
   * sought.
   */
  private Map<TopicPartition, Long> startPositions(Set<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<Integer, Long> own = positions.read(group, topic, numbers(partitions));
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
    Set<TopicPartition> orphans = new HashSet<>();
    for (TopicPartition partition : partitions) {
      if (!own.containsKey(partition.partition()) && committed.get(partition) == null) {
        orphans.add(partition);
      }
    }
    Map<Integer, Long> anyGroup =
        orphans.isEmpty() ? Map.of() : positions.readAnyGroup(topic, numbers(orphans));
    Map<TopicPartition, Long> logStart = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> seeks = new HashMap<>();
    for (TopicPartition partition : partitions) {
      Long ownPosition = own.get(partition.partition());
      Long position = ownPosition != null ? ownPosition : anyGroup.get(partition.partition());
      if (position == null) {
        continue;
      }
      if (ownPosition != null) {
        recorded.put(partition, ownPosition);
      }
      OffsetAndMetadata offset = committed.get(partition);
      seekTo(partition, position, offset == null ? null : offset.offset(), logStart.get(partition))
          .ifPresent(from -> seeks.put(partition, from));
    }
    return seeks;
  }

  private Optional<Long> seekTo(
      TopicPartition partition, long position, Long committed, long logStart) {
    String groupOffset = committed == null ? "none" : String.format("%,d", committed);
    if (position < logStart) {
      unreadable(partition, position, logStart);
      return Optional.of(logStart);
    }
    if (committed != null && committed > position) {
      LOG.warn(
          "partition {}: the database is {} records behind the group's committed offset {}"
              + " (failover or restore?); reading them again from offset {}",
          partition,
          String.format("%,d", committed - position),
          groupOffset,
          position);
      counters.recordsReadAgain.addAndGet(committed - position);
      return Optional.of(position);
    }
    if (committed == null || committed < position) {
      LOG.info(
          "partition {}: resuming from the database's position {} (group offset {})",
          partition,
          position,
          groupOffset);
      return Optional.of(position);
    }
    return Optional.empty(); // the group's offset is the database's
  }

  private void unreadable(TopicPartition partition, long position, long logStart) {
    LOG.error(
        "partition {}: the database has stored up to offset {}, but the topic holds records from"
            + " offset {} on only: {} records can no longer be read (retention deleted them"
            + " before they were stored); going on from offset {}",
        partition,
        position,
        logStart,
        String.format("%,d", logStart - position),
        logStart);
    counters.recordsUnreadable.addAndGet(logStart - position);
    // Counted once: the gap is recorded as passed, unless the database cannot take it now.
    try {
      positions.record(group, topic, Map.of(partition.partition(), logStart));
      recorded.put(partition, logStart);
    } catch (RuntimeException e) {
      LOG.debug("could not record the position after the gap of {}: {}", partition, e.toString());
    }
  }

  private static List<Integer> numbers(Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::partition).toList();
  }
}
