package dev.orderservice.ingest;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/** Taking part of what a poll returned, and leaving the rest to be polled again. */
final class PolledRecords {

  private PolledRecords() {}

  /**
   * The oldest records of {@code polled}, at most {@code limit} of them, about as many of each
   * partition; the consumer is sought back to the first record it leaves of each partition, so the
   * next poll returns those again.
   */
  static List<ConsumerRecord<byte[], byte[]>> upToLimit(
      Consumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> polled, int limit) {
    List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>(Math.min(limit, polled.count()));
    if (polled.count() <= limit) {
      polled.forEach(taken::add);
      return taken;
    }
    int share = Math.max(1, limit / polled.partitions().size());
    for (TopicPartition partition : polled.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> records = polled.records(partition);
      int count = Math.min(records.size(), Math.min(share, limit - taken.size()));
      taken.addAll(records.subList(0, count));
      if (count < records.size()) {
        consumer.seek(partition, records.get(count).offset());
      }
    }
    return taken;
  }

  /** Seeks back to records a poll returned while a batch was in hand, to read them later. */
  static void rewind(Consumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> polled) {
    for (TopicPartition partition : polled.partitions()) {
      consumer.seek(partition, polled.records(partition).get(0).offset());
    }
  }
}
