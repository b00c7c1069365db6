package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderCopies;
import dev.orderservice.domain.RandomOrders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A known workload, then a scrape of {@code /metrics}: exactly those counts under Micrometer's
 * names, and the Kafka consumer's own lag meter at 0 once the ingest has caught up.
 */
class MetricsWorkloadTest {

  private static final int VALID = 30;
  private static final int UNDECODABLE = 3;
  private static final int INVALID = 2;
  private static final int HITS = 10;
  private static final int MISSES = 4;

  @Test
  void aScrapeAfterAKnownWorkloadShowsExactlyItsCounts() throws Exception {
    String topic = TestStack.newTopic("metrics");
    try (OrderServer server =
        TestStack.startServer(TestStack.jdbcUrlWithOwnSchema("metrics"), topic)) {
      Http http = new Http(server);
      await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").statusCode() == 200);
      RandomOrders random = new RandomOrders(20261130);
      List<Order> valid = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
        for (int i = 0; i < VALID; i++) {
          Order order = random.next();
          valid.add(order);
          send(producer, topic, order.orderUid(), OrderCodec.standard().encode(order));
        }
        for (int i = 0; i < UNDECODABLE; i++) {
          send(producer, topic, "broken-" + i, "{\"order_uid\":".getBytes(UTF_8));
        }
        for (int i = 0; i < INVALID; i++) {
          Order order = OrderCopies.withEmail(random.next(), "not an e-mail");
          send(producer, topic, order.orderUid(), OrderCodec.standard().encode(order));
        }
        Order first = valid.get(0);
        Order conflicting = OrderCopies.withAmount(first, first.payment().amount() + 1);
        send(producer, topic, first.orderUid(), OrderCodec.standard().encode(conflicting));
        producer.flush();
      }
      int records = VALID + UNDECODABLE + INVALID + 1;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> scrape(http).value("order_ingest_records_total", "topic", topic) == records);
      for (int i = 0; i < HITS; i++) {
        assertThat(http.get("/orders/" + valid.get(i).orderUid()).statusCode()).isEqualTo(200);
      }
      for (int i = 0; i < MISSES; i++) {
        assertThat(http.get("/orders/no-such-order-" + i).statusCode()).isEqualTo(404);
      }

      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                Scrape metrics = scrape(http);
                assertThat(
                        metrics.value(
                            "order_ingest_orders_total", "topic", topic, "outcome", "inserted"))
                    .isEqualTo(VALID);
                assertThat(
                        metrics.value(
                            "order_ingest_orders_total", "topic", topic, "outcome", "duplicate"))
                    .isZero();
                assertThat(
                        metrics.value(
                            "order_ingest_orders_total", "topic", topic, "outcome", "conflict"))
                    .isEqualTo(1);
                assertThat(metrics.value("order_ingest_rejected_total", "stage", "VALUE_CONVERTER"))
                    .isEqualTo(UNDECODABLE);
                assertThat(metrics.value("order_ingest_rejected_total", "stage", "TRANSFORMATION"))
                    .isEqualTo(INVALID);
                assertThat(metrics.value("order_ingest_rejected_total", "stage", "TASK_PUT"))
                    .isEqualTo(1);
                assertThat(metrics.value("order_ingest_dead_letters_total"))
                    .isEqualTo(UNDECODABLE + INVALID + 1);
                assertThat(metrics.value("order_ingest_retries_total")).isZero();
                assertThat(metrics.value("order_ingest_rebalances_total")).isZero();
                assertThat(metrics.value("order_ingest_paused")).isZero();
                assertThat(metrics.value("order_ingest_batch_size_sum")).isEqualTo(records);
                assertThat(metrics.value("cache_gets_total", "cache", "orders", "result", "hit"))
                    .isEqualTo(HITS);
                assertThat(metrics.value("cache_gets_total", "cache", "orders", "result", "miss"))
                    .isEqualTo(MISSES);
                assertThat(metrics.value("cache_size", "cache", "orders")).isEqualTo(VALID);
                assertThat(
                        metrics.value(
                            "http_server_requests_seconds_count",
                            "method",
                            "GET",
                            "uri",
                            "/orders/{order_uid}",
                            "status",
                            "200",
                            "outcome",
                            "SUCCESS"))
                    .isEqualTo(HITS);
                assertThat(
                        metrics.value(
                            "http_server_requests_seconds_count",
                            "method",
                            "GET",
                            "uri",
                            "/orders/{order_uid}",
                            "status",
                            "404",
                            "outcome",
                            "CLIENT_ERROR"))
                    .isEqualTo(MISSES);
                assertThat(
                        metrics.has(
                            "kafka_consumer_fetch_manager_records_lag_max",
                            "client",
                            "ingest-consumer"))
                    .isTrue();
                // The client's own meter: the most records any partition was behind in its
                // sampling window (up to a minute), so it reaches 0 a little after the ingest.
                assertThat(
                        metrics.value(
                            "kafka_consumer_fetch_manager_records_lag_max",
                            "client",
                            "ingest-consumer"))
                    .as("the Kafka client's own lag, caught up")
                    .isZero();
                assertThat(metrics.value("order_service_ready")).isEqualTo(1);
              });
      assertThat(Http.text(http.get("/metrics")))
          .as("no uid of an order is a label")
          .doesNotContain(valid.get(0).orderUid())
          .doesNotContain("no-such-order");
    }
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key.getBytes(UTF_8), value));
  }

  private static Scrape scrape(Http http) {
    return Scrape.parse(Http.text(http.get("/metrics")));
  }
}
