package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.testsupport.TestBroker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Orders in a test topic, and a database that lost the last of them as a restore (or a failover to
 * a standby that missed commits) would: the orders stored from the last records of each partition
 * deleted and the group's positions set back to before them, as they were when that copy was made.
 */
final class TopicOrders {

  private TopicOrders() {}

  /** Produces {@code count} valid orders keyed by uid (spread over the partitions by key). */
  static List<Order> produce(String topic, int count, long seed) {
    return produce(topic, null, count, seed);
  }

  /** Produces {@code count} valid orders into one partition, or by key if it is null. */
  static List<Order> produce(String topic, Integer partition, int count, long seed) {
    RandomOrders random = new RandomOrders(seed);
    List<Order> orders = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Order order = random.next();
      orders.add(order);
      records.add(
          new ProducerRecord<>(
              topic,
              partition,
              order.orderUid().getBytes(UTF_8),
              OrderCodec.standard().encode(order)));
    }
    TestBroker.produce(records);
    return orders;
  }

  /**
   * Makes the database as a copy of it taken {@code lastRecords} records of each partition ago
   * would be: deletes the orders of those records and sets {@code group}'s positions back to the
   * first of them.
   *
   * @return how many records the database is now behind, over all partitions
   */
  static int restoreEarlierCopy(DataSource db, String topic, String group, int lastRecords)
      throws SQLException {
    Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : TestBroker.readAll(topic)) {
      byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
    }
    int behind = 0;
    try (Connection c = db.getConnection();
        PreparedStatement delete = c.prepareStatement("delete from orders where order_uid = ?");
        PreparedStatement rewind =
            c.prepareStatement(
                "update ingest_positions set next_offset = ?"
                    + " where consumer_group = ? and topic = ? and partition = ?")) {
      c.setAutoCommit(false); // one transaction: a running ingest sees the copy or the original
      for (var entry : byPartition.entrySet()) {
        List<ConsumerRecord<byte[], byte[]>> records = entry.getValue();
        List<ConsumerRecord<byte[], byte[]>> lost =
            records.subList(records.size() - lastRecords, records.size());
        for (ConsumerRecord<byte[], byte[]> record : lost) {
          delete.setString(1, new String(record.key(), UTF_8));
          delete.addBatch();
        }
        delete.executeBatch();
        rewind.setLong(1, lost.get(0).offset());
        rewind.setString(2, group);
        rewind.setString(3, topic);
        rewind.setInt(4, entry.getKey());
        if (rewind.executeUpdate() != 1) {
          throw new IllegalStateException("no position of partition " + entry.getKey());
        }
        behind += lastRecords;
      }
      c.commit();
    }
    return behind;
  }
}
