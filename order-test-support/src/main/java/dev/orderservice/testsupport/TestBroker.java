package dev.orderservice.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The JVM's shared Kafka broker ({@link SharedKafka}) as tests use it: topics, a producer of test
 * data, reading a topic whole, and consumer groups' offsets and members through the Admin API.
 *
 * <p>Stateless and thread safe. Every method blocks: on the broker's first start, and for at most
 * 30 s for each answer it waits for, after which it throws {@link IllegalStateException}.
 */
public final class TestBroker {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private TestBroker() {}

  public static String bootstrapServers() {
    return SharedKafka.instance().bootstrapServers();
  }

  public static void createTopic(String name, int partitions) {
    SharedKafka.instance().createTopic(name, partitions);
  }

  /**
   * A new topic named {@code prefix} and a random suffix.
   *
   * @return its name
   */
  public static String newTopic(String prefix, int partitions) {
    String name = UniqueNames.withPrefix(prefix);
    createTopic(name, partitions);
    return name;
  }

  /**
   * A producer of test data: byte arrays, acks=all, so a sent record is a stored record. The caller
   * closes it.
   */
  public static KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Sends {@code records} in order with one producer and waits for every acknowledgement.
   *
   * @return where each record was written, in the order of {@code records}
   */
  public static List<RecordMetadata> produce(List<ProducerRecord<byte[], byte[]>> records) {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
      for (ProducerRecord<byte[], byte[]> record : records) {
        acks.add(producer.send(record));
      }
      producer.flush();
      List<RecordMetadata> written = new ArrayList<>(acks.size());
      for (Future<RecordMetadata> ack : acks) {
        written.add(get(ack));
      }
      return written;
    }
  }

  /** Every record of {@code topic} from the beginning to its end as of this call. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<TopicPartition, Long> ends = endOffsets(topic);
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + topic + " to its end within " + TIMEOUT);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** How many records {@code topic} holds: the sum of its partitions' end offsets. */
  public static long size(String topic) {
    return endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
  }

  /** The log-end offset of each partition of {@code topic}. */
  public static Map<TopicPartition, Long> endOffsets(String topic) {
    try (Admin admin = admin()) {
      int partitions =
          get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return get(admin.listOffsets(latest).all()).entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }

  /** The offsets {@code group} has committed, by partition; absent partitions have none. */
  public static Map<TopicPartition, Long> committedOffsets(String group) {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
      Map<TopicPartition, Long> offsets = new HashMap<>();
      committed.forEach(
          (partition, offset) -> {
            if (offset != null) {
              offsets.put(partition, offset.offset());
            }
          });
      return offsets;
    }
  }

  /** Whether {@code group} has committed the end of every partition of {@code topic}. */
  public static boolean hasCommittedTheEnd(String group, String topic) {
    return committedOffsets(group).equals(endOffsets(topic));
  }

  /**
   * Rewinds {@code group} to offset 0 of every partition of {@code topic}; the group must be empty.
   */
  public static void rewindToBeginning(String group, String topic) {
    Map<TopicPartition, OffsetAndMetadata> beginning = new HashMap<>();
    endOffsets(topic).keySet().forEach(p -> beginning.put(p, new OffsetAndMetadata(0)));
    try (Admin admin = admin()) {
      get(admin.alterConsumerGroupOffsets(group, beginning).all());
    }
  }

  /** The group as the coordinator sees it now. */
  public static ConsumerGroupDescription describeGroup(String group) {
    try (Admin admin = admin()) {
      return get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
    }
  }

  private static Admin admin() {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return Admin.create(config);
  }

  private static <T> T get(Future<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer from the broker within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
