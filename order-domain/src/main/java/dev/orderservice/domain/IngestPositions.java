package dev.orderservice.domain;

import java.util.Collection;
import java.util.Map;

/**
 * Port: how far a consumer reads a topic's partitions into the store, kept in the store itself, so
 * that it describes what <em>this</em> copy of the data holds (after a failover to a standby or a
 * restore from a backup too), whatever the message broker's own record of the consumer's offsets
 * says. A position is the offset of the next record to read of one partition.
 *
 * <p>Positions are recorded after the records before them are stored, never ahead of them.
 * Implementations are thread safe and may block; failures surface as {@link OrderStoreException},
 * which says whether retrying later can help.
 */
public interface IngestPositions {

  /**
   * The positions {@code group} recorded for those of {@code partitions} of {@code topic} it has
   * recorded any for; partitions without one are absent.
   */
  Map<Integer, Long> read(String group, String topic, Collection<Integer> partitions);

  /**
   * The furthest position any group recorded for each of {@code partitions} of {@code topic} that
   * has one: where a group that has none of its own (a renamed one) can start, since the store
   * holds what was read up to there.
   */
  Map<Integer, Long> readAnyGroup(String topic, Collection<Integer> partitions);

  /**
   * Records {@code nextOffsets} (partition to next offset) as {@code group}'s positions in {@code
   * topic}, all in one transaction, replacing what was recorded before for those partitions.
   */
  void record(String group, String topic, Map<Integer, Long> nextOffsets);

  /**
   * Records {@code nextOffsets} as {@link #record} does, but only if the store still holds at least
   * the positions {@code held} says it holds (partition to position; partitions not in it are not
   * compared), all in one transaction: a store that lost transactions since they were recorded (a
   * failover to a standby that missed them, a restore) is found before newer positions hide the
   * gap.
   *
   * @return whether they were recorded; false, with nothing written, if a position of {@code held}
   *     is missing or behind
   */
  boolean recordIfHeld(
      String group, String topic, Map<Integer, Long> held, Map<Integer, Long> nextOffsets);
}
