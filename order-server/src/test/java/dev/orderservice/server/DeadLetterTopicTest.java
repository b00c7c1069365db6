package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.testsupport.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Which topic the server dead-letters to: the topic's own by default, or the one named; and the
 * retention of a dead-letter topic it creates (KAFKA_DLQ_RETENTION).
 */
class DeadLetterTopicTest {

  private static final byte[] NOT_AN_ORDER = "{\"order_uid\": ".getBytes(UTF_8);

  @Test
  void rejectedRecordsGoToTheDeadLetterTopicOfTheirOwnTopic() {
    String topic = TestStack.newTopic("crash");
    try (OrderServer server = TestStack.startServer(TestStack.jdbcUrlWithOwnSchema("dlq"), topic)) {
      TestStack.produce(topic, "bad-1", NOT_AN_ORDER);

      ConsumerRecord<byte[], byte[]> letter = awaitOne(topic + ".dlq");
      assertThat(new String(letter.key(), UTF_8)).isEqualTo("bad-1");
      assertThat(header(letter, "__connect.errors.topic")).isEqualTo(topic);
    }
  }

  @Test
  void aNamedDeadLetterTopicReceivesThemInstead() {
    String topic = TestStack.newTopic("crash");
    String named = TestStack.uniqueName("rejects");
    try (OrderServer server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("dlq"), topic, "--kafka-dlq-topic", named)) {
      TestStack.produce(topic, "bad-2", NOT_AN_ORDER);

      ConsumerRecord<byte[], byte[]> letter = awaitOne(named);
      assertThat(new String(letter.key(), UTF_8)).isEqualTo("bad-2");
      assertThat(readAll(topic + ".dlq", Duration.ofSeconds(2))).isEmpty();
    }
  }

  @Test
  void theDeadLetterTopicTheServiceCreatesKeepsRecordsForItsRetention() throws Exception {
    String topic = TestStack.newTopic("crash");
    try (OrderServer server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("dlq"), topic, "--kafka-dlq-retention", "3d")) {
      TestStack.produce(topic, "bad-3", NOT_AN_ORDER);
      awaitOne(topic + ".dlq");

      assertThat(retentionMs(topic + ".dlq")).isEqualTo(Duration.ofDays(3).toMillis());
    }
  }

  @Test
  void anExistingDeadLetterTopicIsLeftAsItIsWithAWarningWhenItKeepsRecordsLonger()
      throws Exception {
    String topic = TestStack.newTopic("crash");
    String named = TestStack.uniqueName("rejects");
    TestBroker.createTopic(named, 1);
    long before = retentionMs(named);
    try (CapturedLog log = CapturedLog.start();
        OrderServer server =
            TestStack.startServer(
                TestStack.jdbcUrlWithOwnSchema("dlq"),
                topic,
                "--kafka-dlq-topic",
                named,
                "--kafka-dlq-retention",
                "1h")) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> log.lines().stream().anyMatch(l -> l.contains("dead-letter topic " + named)));

      assertThat(retentionMs(named)).isEqualTo(before);
      assertThat(log.lines())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith("WARN")
                      .contains(named + " exists and keeps records")
                      .contains("retention.ms=3600000"));
    }
  }

  /** The topic's retention.ms, as the broker reports it. */
  private static long retentionMs(String topic) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.kafkaBrokers()))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      return Long.parseLong(
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get()
              .get(resource)
              .get(TopicConfig.RETENTION_MS_CONFIG)
              .value());
    }
  }

  private static ConsumerRecord<byte[], byte[]> awaitOne(String topic) {
    List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              seen.addAll(readAll(topic, Duration.ofMillis(500)));
              return !seen.isEmpty();
            });
    assertThat(seen).hasSize(1);
    return seen.get(0);
  }

  /** Every record of {@code topic} so far, polling for at most {@code wait}. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration wait) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestStack.kafkaBrokers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            TestStack.uniqueName("reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
