package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** Which topic the server dead-letters to: the topic's own by default, or the one named. */
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
      assertThat(TopicRecords.readAll(topic + ".dlq", Duration.ofSeconds(2))).isEmpty();
    }
  }

  private static ConsumerRecord<byte[], byte[]> awaitOne(String topic) {
    List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              seen.addAll(TopicRecords.readAll(topic, Duration.ofMillis(500)));
              return !seen.isEmpty();
            });
    assertThat(seen).hasSize(1);
    return seen.get(0);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
