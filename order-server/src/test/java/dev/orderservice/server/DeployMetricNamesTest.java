package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Every metric the alert rules and the Grafana dashboard query is one the service exports under
 * that exact name: a real server, a small workload so that labelled series and histograms exist,
 * one scrape, then the names {@link PromqlNames} finds in every {@code expr} of {@code
 * deploy/prometheus/alerts.yml} and {@code deploy/grafana/order-service.json}. A rule on a name the
 * service does not export would never fire, and a panel on one would stay empty; both fail here.
 * The scrape is kept in {@code target/deploy-metric-names-scrape.txt} to compare against.
 */
class DeployMetricNamesTest {

  /** Names Prometheus itself writes for every target, so no scrape of the service has them. */
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");

  private static final int VALID = 5;

  @Test
  void everyMetricTheAlertRulesAndTheDashboardQueryIsInAScrapeOfTheService() throws Exception {
    Map<String, Set<String>> referenced = referencedNames();
    assertThat(referenced).as("metric names in the alert rules and the dashboard").isNotEmpty();

    String topic = TestStack.newTopic("deploy_names");
    try (OrderServer server =
        TestStack.startServer(TestStack.jdbcUrlWithOwnSchema("deploy_names"), topic)) {
      Http http = new Http(server);
      await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").statusCode() == 200);
      List<Order> orders = ingestValidOrdersAndOneUndecodableRecord(http, topic);
      assertThat(http.get("/orders/" + orders.get(0).orderUid()).statusCode()).isEqualTo(200);
      assertThat(http.get("/orders/no-such-order").statusCode()).isEqualTo(404);
      assertThat(http.get("/no-such-route").statusCode()).isEqualTo(404);
      // Micrometer registers the GC pause timer at the first collection; a JVM in production has
      // had one long before the first scrape, a short test may not have.
      System.gc();

      // The collection is reported on a thread of its own: scrape until every name is there.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                String text = Http.text(http.get("/metrics"));
                Files.writeString(Path.of("target/deploy-metric-names-scrape.txt"), text, UTF_8);
                assertThat(missingFrom(Scrape.parse(text).names(), referenced))
                    .as("metric names queried (name=[where]) that the service does not export")
                    .isEmpty();
              });
    }
  }

  /** Each name referenced, with the rules and panels that reference it. */
  private static Map<String, Set<String>> referencedNames() {
    Map<String, Set<String>> referenced = new TreeMap<>();
    for (DeployQueries.Query query : DeployQueries.all()) {
      Set<String> names = PromqlNames.in(query.expr());
      assertThat(names).as("metric names in " + query.where() + ": " + query.expr()).isNotEmpty();
      names.forEach(
          name -> referenced.computeIfAbsent(name, n -> new TreeSet<>()).add(query.where()));
    }
    return referenced;
  }

  private static Map<String, Set<String>> missingFrom(
      Set<String> exported, Map<String, Set<String>> referenced) {
    Map<String, Set<String>> missing = new TreeMap<>(referenced);
    missing.keySet().removeAll(exported);
    missing.keySet().removeAll(PROMETHEUS_OWN);
    return missing;
  }

  /**
   * Valid orders and a record that is not JSON, so that the ingest's histograms, its per-outcome
   * orders and its per-stage rejections have series; returns once the ingest has counted them.
   */
  private static List<Order> ingestValidOrdersAndOneUndecodableRecord(Http http, String topic) {
    RandomOrders random = new RandomOrders(20261201);
    List<Order> orders = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
      for (int i = 0; i < VALID; i++) {
        Order order = random.next();
        orders.add(order);
        producer.send(
            new ProducerRecord<>(
                topic, order.orderUid().getBytes(UTF_8), OrderCodec.standard().encode(order)));
      }
      producer.send(
          new ProducerRecord<>(topic, "broken".getBytes(UTF_8), "{\"order_uid\":".getBytes(UTF_8)));
      producer.flush();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                Scrape.parse(Http.text(http.get("/metrics")))
                        .value("order_ingest_records_total", "topic", topic)
                    == VALID + 1);
    return orders;
  }
}
