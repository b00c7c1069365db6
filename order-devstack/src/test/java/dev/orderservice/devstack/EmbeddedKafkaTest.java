package dev.orderservice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void failsWithAClearMessageWhenItsPortIsTaken() throws Exception {
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      try (EmbeddedKafka blocked = EmbeddedKafka.builder().port(squatter.getLocalPort()).build()) {
        assertThatThrownBy(blocked::start)
            .isInstanceOf(DevstackException.class)
            .hasMessageContaining("127.0.0.1:" + squatter.getLocalPort());
        assertThat(blocked.isRunning()).isFalse();
      }
    }
  }

  @Test
  void keepsRecordsInAGivenLogDirectoryForTheNextBroker(@TempDir Path temp) throws Exception {
    Path logDirectory = temp.resolve("kafka-log");
    try (EmbeddedKafka first = EmbeddedKafka.builder().logDirectory(logDirectory).build()) {
      first.start();
      first.createTopic("durable", 1);
      produce(first, "durable", "k", "kept");
    }
    assertThat(logDirectory.resolve("meta.properties")).exists();

    try (EmbeddedKafka second = EmbeddedKafka.builder().logDirectory(logDirectory).build()) {
      second.start();
      assertThat(consumeUntilFound(second, "durable", "reopen"))
          .extracting(ConsumerRecord::value)
          .containsExactly("kept");
    }
  }

  @Test
  void deliversARecordProducedToACreatedTopicBackToAConsumer() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build()) {
      kafka.start();
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());

      kafka.createTopic("smoke", 2);
      RecordMetadata sent = produce(kafka, "smoke", "order-1", "created");
      List<ConsumerRecord<String, String>> received =
          consumeUntilFound(kafka, "smoke", "smoke-test");

      assertThat(received).as("records consumed within %s", DEADLINE).hasSize(1);
      ConsumerRecord<String, String> record = received.get(0);
      assertThat(record.key()).isEqualTo("order-1");
      assertThat(record.value()).isEqualTo("created");
      assertThat(record.partition()).isEqualTo(sent.partition());
      assertThat(record.offset()).isEqualTo(sent.offset());
    }
  }

  private static RecordMetadata produce(EmbeddedKafka kafka, String topic, String key, String value)
      throws Exception {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
      return producer
          .send(new ProducerRecord<>(topic, key, value))
          .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** Polls until at least one record arrived or the deadline passed; returns what arrived. */
  private static List<ConsumerRecord<String, String>> consumeUntilFound(
      EmbeddedKafka kafka, String topic, String group) {
    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class.getName()))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (received.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
      }
    }
    return received;
  }
}
