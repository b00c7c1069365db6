package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.testsupport.TestBroker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The valid orders that a consumer group's committed offsets claim are stored but that a database
 * lacks: what an ingest that resumes from the committed offsets alone (the behaviour before the
 * database recorded its own positions) would never read again.
 */
final class CommittedButMissing {

  private CommittedButMissing() {}

  /**
   * Counts them for the records of {@code stream} as {@code producer} wrote them, the committed
   * offsets of {@code group} now, and the orders in the {@code orders} table behind {@code
   * database}.
   */
  static long count(MixedStream stream, PacedProducer producer, String group, Connection database)
      throws SQLException {
    Map<TopicPartition, Long> committed = TestBroker.committedOffsets(group);
    Set<String> stored = storedUids(database);
    Set<ProducerRecord<byte[], byte[]>> bad = Collections.newSetFromMap(new IdentityHashMap<>());
    stream.badRecords().forEach(b -> bad.add(b.record()));
    List<ProducerRecord<byte[], byte[]>> records = stream.records();
    long missing = 0;
    for (int i = 0; i < records.size(); i++) {
      SourcePosition at = producer.positionOf(i);
      if (bad.contains(records.get(i)) || at == null) {
        continue;
      }
      long committedOffset =
          committed.getOrDefault(new TopicPartition(at.topic(), at.partition()), 0L);
      if (at.offset() < committedOffset
          && !stored.contains(new String(records.get(i).key(), UTF_8))) {
        missing++;
      }
    }
    return missing;
  }

  private static Set<String> storedUids(Connection database) throws SQLException {
    Set<String> uids = new HashSet<>();
    try (Statement statement = database.createStatement();
        ResultSet rs = statement.executeQuery("select order_uid from orders")) {
      while (rs.next()) {
        uids.add(rs.getString(1));
      }
    }
    return uids;
  }
}
