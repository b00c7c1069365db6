package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * End to end: an order produced to Kafka is served over HTTP as its canonical JSON, and after a
 * restart the same bytes come back, from the warmed-up cache and on a cache miss alike.
 */
class KafkaToHttpTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  void anOrderFromKafkaIsServedAsCanonicalJsonBeforeAndAfterARestartHitOrMiss() {
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("e2e");
    String topic = TestStack.newTopic("e2e");
    Order sample = TestStack.sampleOrder();
    Order newer = new RandomOrders(5).next();
    byte[] sampleJson = CODEC.encode(sample);
    byte[] newerJson = CODEC.encode(newer);

    try (OrderServer server = TestStack.startServer(jdbcUrl, topic)) {
      Http http = new Http(server);
      // The sample file as it is (indented), not its canonical form: the server re-encodes it.
      TestStack.produce(topic, sample.orderUid(), TestStack.sampleBytes());
      await()
          .atMost(PATIENCE)
          .until(() -> http.get("/orders/" + sample.orderUid()).statusCode() == 200);
      assertThat(http.get("/orders/" + sample.orderUid()).body()).isEqualTo(sampleJson);

      TestStack.produce(topic, newer.orderUid(), newerJson);
      await()
          .atMost(PATIENCE)
          .until(() -> http.get("/orders/" + newer.orderUid()).statusCode() == 200);
    }

    // A cache of one entry: the warm-up loads only the newest order, so the sample must be a miss.
    try (OrderServer restarted =
        TestStack.startServer(jdbcUrl, topic, "--cache-max-entries", "1")) {
      Http http = new Http(restarted);
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                JsonNode warmUp = Http.json(http.get("/readyz")).path("cache_warmup");
                assertThat(warmUp.path("state").asText()).isEqualTo("DONE");
                assertThat(warmUp.path("loaded").asLong()).isEqualTo(1);
              });
      long hits = counter(http, "hit");
      long misses = counter(http, "miss");

      assertThat(http.get("/orders/" + newer.orderUid()).body()).isEqualTo(newerJson);
      assertThat(counter(http, "hit")).isEqualTo(hits + 1);
      assertThat(counter(http, "miss")).isEqualTo(misses);

      assertThat(http.get("/orders/" + sample.orderUid()).body()).isEqualTo(sampleJson);
      assertThat(counter(http, "miss")).isEqualTo(misses + 1);
    }
  }

  /** The order cache's lookups with {@code result} (hit or miss) so far, from /metrics. */
  private static long counter(Http http, String result) {
    Scrape metrics = Scrape.parse(Http.text(http.get("/metrics")));
    assertThat(metrics.has("cache_gets_total", "cache", "orders", "result", result))
        .as("cache_gets_total{result=%s} in /metrics", result)
        .isTrue();
    return (long) metrics.value("cache_gets_total", "cache", "orders", "result", result);
  }
}
