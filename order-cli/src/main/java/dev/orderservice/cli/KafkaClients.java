package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.settings.KafkaClientConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka clients of the CLI, configured in one place: the user's properties ({@code
 * --kafka-config}, {@code KAFKA_CLIENT_*}: security and tuning), under what the CLI forces:
 * producers wait for every replica ({@code acks=all}, idempotent), consumers read without a
 * consumer group (partitions assigned, nothing committed, only committed records), and nothing
 * waits for an absent broker longer than {@link #TIMEOUT} unless the user's timeouts say so.
 */
final class KafkaClients {

  /** How long a call may wait for the broker before the command fails. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private KafkaClients() {}

  /**
   * A producer to {@code bootstrapServers} with the user's properties ({@code user}: security,
   * tuning), under what the CLI's guarantees rest on.
   */
  static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, KafkaClientConfig user) {
    Map<String, Object> config = new HashMap<>(user.properties());
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // A record counts as sent once every in-sync replica has it, and a retry never doubles it.
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "order-cli");
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() * 2);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * A consumer of {@code bootstrapServers} without a group, with the user's properties ({@code
   * user}) under what the CLI's reading rests on: nothing committed, only committed records read.
   */
  static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, KafkaClientConfig user) {
    Map<String, Object> config = new HashMap<>(user.properties());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "order-cli");
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ProducerRecord<>(topic, key == null ? null : key.getBytes(UTF_8), value);
  }

  /**
   * Sends every record and returns once the broker has acknowledged all of them.
   *
   * @throws CliException if one was refused or not acknowledged in time; some may have been written
   */
  static void sendAll(
      Producer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records) {
    List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
    for (ProducerRecord<byte[], byte[]> record : records) {
      acks.add(producer.send(record));
    }
    producer.flush();
    long deadline = System.nanoTime() + TIMEOUT.toNanos() * 2;
    try {
      for (Future<RecordMetadata> ack : acks) {
        ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      Optional<String> refused = OrderCli.kafkaRefused(e.getCause());
      if (refused.isPresent()) {
        throw new CliException(refused.get(), e.getCause());
      }
      throw new CliException(
          "Kafka refused a record: "
              + OrderCli.oneLine(e.getCause().toString())
              + " (check --kafka / KAFKA_BROKER and the topic)",
          e.getCause());
    } catch (TimeoutException e) {
      throw new CliException(
          "Kafka did not acknowledge within "
              + TIMEOUT.toSeconds() * 2
              + " s (check --kafka / KAFKA_BROKER and that the broker is running)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for Kafka", e);
    }
  }
}
