package dev.orderservice.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.EncodedOrder;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Fills a topic with orders as fast as Kafka takes them, for the benchmarks that ingest. */
final class BenchProducer {

  private BenchProducer() {}

  /**
   * Sends each order (key: its uid, value: its canonical JSON), taken from {@code orders} as it
   * goes so that a generator need not hold them all, and waits for every ack.
   *
   * @return how many were sent
   * @throws IllegalStateException if Kafka refused one
   */
  static long produce(
      String bootstrapServers, String clientId, String topic, Iterator<EncodedOrder> orders) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    // Large batches, but under the broker's default message.max.bytes of 1 MiB.
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    AtomicReference<Exception> failure = new AtomicReference<>();
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      while (orders.hasNext() && failure.get() == null) {
        EncodedOrder order = orders.next();
        producer.send(
            new ProducerRecord<>(topic, order.orderUid().getBytes(UTF_8), order.json()),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
        sent++;
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException(
          "producing the orders to " + topic + " failed", failure.get());
    }
    return sent;
  }
}
