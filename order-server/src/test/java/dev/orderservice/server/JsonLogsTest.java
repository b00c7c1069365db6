package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderCopies;
import dev.orderservice.domain.RandomOrders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LOG_FORMAT=json}: every line the server writes is one JSON object with logger, level,
 * message, thread and MDC; ingest lines carry topic, partition and offset, access lines route and
 * status; and no line, in either format, carries the personal data of the orders it handled.
 */
class JsonLogsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  @Test
  void everyLineOfAServerRunIsJsonAndNoneCarriesPersonalData() throws Exception {
    String topic = TestStack.newTopic("jsonlogs");
    List<Order> orders = new ArrayList<>();
    Order invalid;
    try (ChildServer server = ChildServer.start("json-logs", env(topic, "json"))) {
      Http http = server.awaitListening(Duration.ofSeconds(60));
      RandomOrders random = new RandomOrders(20261130);
      for (int i = 0; i < 20; i++) {
        orders.add(random.next());
      }
      invalid = OrderCopies.withEmail(random.next(), "ivan.petrov-at-example.org");
      try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
        for (Order order : orders) {
          send(producer, topic, order);
        }
        send(producer, topic, invalid);
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> http.get("/orders/" + orders.get(19).orderUid()).statusCode() == 200);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.log().stream().anyMatch(line -> line.contains("rejected")));
      assertThat(http.get("/orders/no-such-order").statusCode()).isEqualTo(404);
      server.terminate();
      assertThat(server.process().waitFor(40, TimeUnit.SECONDS)).isTrue();

      List<JsonNode> events = new ArrayList<>();
      for (String line : server.log()) {
        events.add(JSON.readTree(line)); // throws, failing the test, if a line is not JSON
        assertThat(events.get(events.size() - 1).isObject()).as(line).isTrue();
      }
      assertThat(events).isNotEmpty();
      assertThat(events)
          .allSatisfy(
              event ->
                  assertThat(
                          event.has("level")
                              && event.has("loggerName")
                              && event.has("threadName")
                              && event.has("formattedMessage"))
                      .as(event.toString())
                      .isTrue());
      JsonNode rejected =
          events.stream()
              .filter(e -> e.path("formattedMessage").asText().startsWith("rejected "))
              .findFirst()
              .orElseThrow();
      assertThat(rejected.path("mdc").path("topic").asText()).isEqualTo(topic);
      assertThat(rejected.path("mdc").has("partition")).isTrue();
      assertThat(rejected.path("mdc").has("offset")).isTrue();
      JsonNode access =
          events.stream()
              .filter(e -> e.path("loggerName").asText().endsWith(".access"))
              .filter(e -> e.path("mdc").path("status").asText().equals("404"))
              .findFirst()
              .orElseThrow();
      assertThat(access.path("mdc").path("route").asText()).isEqualTo("/orders/{order_uid}");
      assertThat(access.toString()).doesNotContain("no-such-order");

      List<Order> handled = new ArrayList<>(orders);
      handled.add(invalid);
      assertNoPersonalData(server.log(), handled);
    }
  }

  @Test
  void theTextFormatCarriesNoPersonalDataEither() throws Exception {
    String topic = TestStack.newTopic("textlogs");
    Order invalid = OrderCopies.withEmail(new RandomOrders(7).next(), "olga@@example.org");
    try (ChildServer server = ChildServer.start("text-logs", env(topic, "text"))) {
      server.awaitListening(Duration.ofSeconds(60));
      try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
        send(producer, topic, invalid);
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> server.log().stream().anyMatch(line -> line.contains("rejected")));
      assertThat(server.log()).noneMatch(line -> line.startsWith("{"));
      assertNoPersonalData(server.log(), List.of(invalid));
    }
  }

  private Map<String, String> env(String topic, String format) {
    return Map.of(
        "DB_DSN",
        TestStack.jdbcUrlWithOwnSchema("logs"),
        "KAFKA_BROKER",
        TestStack.kafkaBrokers(),
        "KAFKA_TOPIC",
        topic,
        "HTTP_ADDR",
        "127.0.0.1:0",
        "DATA_DIR",
        dataDir.toString(),
        "LOG_FORMAT",
        format,
        "ACCESS_LOG",
        "true");
  }

  private static void assertNoPersonalData(List<String> lines, List<Order> orders) {
    for (Order order : orders) {
      Delivery d = order.delivery();
      // Not the zip: six digits turn up inside timestamps and durations by chance.
      for (String personal : List.of(d.name(), d.phone(), d.email(), d.address(), d.city())) {
        assertThat(lines).as("a log line with personal data").noneMatch(l -> l.contains(personal));
      }
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, Order order) {
    producer.send(
        new ProducerRecord<>(
            topic, order.orderUid().getBytes(UTF_8), OrderCodec.standard().encode(order)));
  }
}
