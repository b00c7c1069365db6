package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.INGEST_POSITIONS;

import dev.orderservice.domain.IngestPositions;
import dev.orderservice.persistence.jooq.tables.records.IngestPositionsRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep4;
import org.jooq.Record2;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * {@link IngestPositions} in the {@code ingest_positions} table (migration V7), in the same
 * database as the orders and in the schema the connections' {@code search_path} names.
 *
 * <p>Each call is one statement on a connection borrowed from the given {@link DataSource} for the
 * call only: {@link #record} is one multi-row upsert ({@code INSERT ... ON CONFLICT DO UPDATE}),
 * one small transaction whatever the number of partitions. Immutable and thread safe; blocks on the
 * database. Failures surface as {@link dev.orderservice.domain.OrderStoreException}, transient when
 * the database is unreachable, restarting or overloaded.
 */
public final class PostgresIngestPositions implements IngestPositions {

  private final DSLContext db;

  /**
   * @param dataSource where connections come from, e.g. {@link OrderDatabase#pool}; the caller
   *     keeps ownership and closes it
   */
  public PostgresIngestPositions(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
  }

  @Override
  public Map<Integer, Long> read(String group, String topic, Collection<Integer> partitions) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(topic, "topic");
    if (partitions.isEmpty()) {
      return Map.of();
    }
    return StoreFailures.call(
        "read the ingest positions of group " + group,
        () ->
            toMap(
                db.select(INGEST_POSITIONS.PARTITION, INGEST_POSITIONS.NEXT_OFFSET)
                    .from(INGEST_POSITIONS)
                    .where(INGEST_POSITIONS.CONSUMER_GROUP.eq(group))
                    .and(INGEST_POSITIONS.TOPIC.eq(topic))
                    .and(INGEST_POSITIONS.PARTITION.in(partitions))
                    .fetch()));
  }

  @Override
  public Map<Integer, Long> readAnyGroup(String topic, Collection<Integer> partitions) {
    Objects.requireNonNull(topic, "topic");
    if (partitions.isEmpty()) {
      return Map.of();
    }
    return StoreFailures.call(
        "read the ingest positions of topic " + topic,
        () ->
            toMap(
                db.select(INGEST_POSITIONS.PARTITION, DSL.max(INGEST_POSITIONS.NEXT_OFFSET))
                    .from(INGEST_POSITIONS)
                    .where(INGEST_POSITIONS.TOPIC.eq(topic))
                    .and(INGEST_POSITIONS.PARTITION.in(partitions))
                    .groupBy(INGEST_POSITIONS.PARTITION)
                    .fetch()));
  }

  @Override
  public void record(String group, String topic, Map<Integer, Long> nextOffsets) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(topic, "topic");
    if (nextOffsets.isEmpty()) {
      return;
    }
    StoreFailures.call(
        "record the ingest positions of group " + group,
        () -> upsert(db, group, topic, nextOffsets));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Without {@code held} one statement, as {@link #record}; with it a transaction of two: the
   * rows of {@code held}'s partitions read {@code FOR UPDATE}, then the upsert if none is missing
   * or behind.
   */
  @Override
  public boolean recordIfHeld(
      String group, String topic, Map<Integer, Long> held, Map<Integer, Long> nextOffsets) {
    Objects.requireNonNull(held, "held");
    if (held.isEmpty()) {
      record(group, topic, nextOffsets);
      return true;
    }
    return StoreFailures.call(
        "record the ingest positions of group " + group,
        () ->
            db.transactionResult(
                tx -> {
                  Map<Integer, Long> now =
                      toMap(
                          tx.dsl()
                              .select(INGEST_POSITIONS.PARTITION, INGEST_POSITIONS.NEXT_OFFSET)
                              .from(INGEST_POSITIONS)
                              .where(INGEST_POSITIONS.CONSUMER_GROUP.eq(group))
                              .and(INGEST_POSITIONS.TOPIC.eq(topic))
                              .and(INGEST_POSITIONS.PARTITION.in(held.keySet()))
                              .orderBy(INGEST_POSITIONS.PARTITION)
                              .forUpdate()
                              .fetch());
                  for (Map.Entry<Integer, Long> position : held.entrySet()) {
                    Long actual = now.get(position.getKey());
                    if (actual == null || actual < position.getValue()) {
                      return false;
                    }
                  }
                  if (!nextOffsets.isEmpty()) {
                    upsert(tx.dsl(), group, topic, nextOffsets);
                  }
                  return true;
                }));
  }

  private static int upsert(
      DSLContext db, String group, String topic, Map<Integer, Long> nextOffsets) {
    InsertValuesStep4<IngestPositionsRecord, String, String, Integer, Long> insert =
        db.insertInto(
            INGEST_POSITIONS,
            INGEST_POSITIONS.CONSUMER_GROUP,
            INGEST_POSITIONS.TOPIC,
            INGEST_POSITIONS.PARTITION,
            INGEST_POSITIONS.NEXT_OFFSET);
    // In partition order: two writers of one group's rows then lock them in the same order.
    new TreeMap<>(nextOffsets)
        .forEach((partition, offset) -> insert.values(group, topic, partition, offset));
    return insert
        .onConflict(
            INGEST_POSITIONS.CONSUMER_GROUP, INGEST_POSITIONS.TOPIC, INGEST_POSITIONS.PARTITION)
        .doUpdate()
        .set(INGEST_POSITIONS.NEXT_OFFSET, DSL.excluded(INGEST_POSITIONS.NEXT_OFFSET))
        .set(INGEST_POSITIONS.UPDATED_AT, DSL.currentOffsetDateTime())
        .execute();
  }

  private static Map<Integer, Long> toMap(Iterable<? extends Record2<Integer, Long>> rows) {
    Map<Integer, Long> positions = new HashMap<>();
    for (Record2<Integer, Long> row : rows) {
      positions.put(row.value1(), row.value2());
    }
    return positions;
  }
}
