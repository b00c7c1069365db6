package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.server.http.PageResources;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics and the lookup page's files. */
class OperationsEndpointsTest {

  private static OrderServer server;
  private static Http http;

  @BeforeAll
  static void startServer() {
    server =
        TestStack.startServer(TestStack.jdbcUrlWithOwnSchema("ops"), TestStack.newTopic("ops"));
    http = new Http(server);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void healthzSaysUp() {
    HttpResponse<byte[]> response = http.get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Http.text(response)).isEqualTo("{\"status\":\"up\"}");
  }

  @Test
  void readyzReportsTheDatabaseTheIngestAndTheWarmUp() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              HttpResponse<byte[]> response = http.get("/readyz");
              JsonNode body = Http.json(response);
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(body.path("database").asText()).isEqualTo("up");
              assertThat(body.path("ingest").asText()).isEqualTo("running");
              assertThat(body.path("cache_warmup").path("state").asText()).isEqualTo("DONE");
              assertThat(body.path("cache_warmup").has("loaded")).isTrue();
              assertThat(body.path("cache_warmup").has("total")).isTrue();
            });
  }

  @Test
  void metricsAreInPrometheusTextFormatWithMicrometersNames() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              HttpResponse<byte[]> response = http.get("/metrics");

              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(response.headers().firstValue("Content-Type"))
                  .contains("text/plain; version=0.0.4; charset=utf-8");
              assertThat(Http.text(response))
                  .contains(
                      "# TYPE http_server_requests_seconds histogram",
                      "# TYPE cache_gets_total counter",
                      "cache_gets_total{cache=\"orders\",result=\"hit\"} ",
                      "cache_gets_total{cache=\"orders\",result=\"miss\"} ",
                      "cache_size{cache=\"orders\"} ",
                      "cache_evictions_total{cache=\"orders\"} ",
                      "cache_puts_total{cache=\"orders\"} ",
                      "order_cache_warmup_state{state=\"done\"} 1",
                      "order_ingest_records_total{",
                      "order_ingest_orders_total{",
                      "outcome=\"inserted\"",
                      "outcome=\"conflict\"",
                      "order_ingest_rejected_total{",
                      "stage=\"VALUE_CONVERTER\"",
                      "order_ingest_dead_letters_total{",
                      "order_ingest_retries_total{",
                      "order_ingest_rebalances_total{",
                      "order_ingest_paused{",
                      "order_ingest_records_unreadable_total{",
                      "order_ingest_records_read_again_total{",
                      "order_ingest_batch_duration_seconds_bucket{",
                      "order_ingest_batch_size_bucket{",
                      "kafka_consumer_fetch_manager_records_lag_max{",
                      "kafka_producer_",
                      "hikaricp_connections_active{pool=\"order-server\"} ",
                      "hikaricp_connections_pending{pool=\"order-server\"} ",
                      "order_service_ready ",
                      "jvm_memory_used_bytes{",
                      "jvm_gc_",
                      "jvm_threads_live_threads ",
                      "process_uptime_seconds ",
                      "process_cpu_usage ");
            });
  }

  @Test
  void metricsTimeEachRequestUnderItsRouteTemplateNeverTheRawPath() {
    String series =
        "http_server_requests_seconds_count{method=\"GET\",outcome=\"CLIENT_ERROR\","
            + "status=\"404\",uri=\"/orders/{order_uid}\"}";
    long before = sample(http.get("/metrics"), series);

    http.get("/orders/counted-1");
    http.get("/orders/counted-2");

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              String metrics = Http.text(http.get("/metrics"));
              assertThat(sample(metrics, series)).isEqualTo(before + 2);
              assertThat(metrics)
                  .doesNotContain("counted-1")
                  .contains(
                      "http_server_requests_seconds_bucket{method=\"GET\",outcome=\"CLIENT_ERROR\","
                          + "status=\"404\",uri=\"/orders/{order_uid}\",le=\"+Inf\"}")
                  .contains(
                      "http_server_requests_seconds_sum{method=\"GET\",outcome=\"CLIENT_ERROR\","
                          + "status=\"404\",uri=\"/orders/{order_uid}\"}");
            });
  }

  @Test
  void theLookupPageIsServedWithAStrictContentSecurityPolicy() {
    HttpResponse<byte[]> response = http.get("/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .contains(PageResources.CONTENT_SECURITY_POLICY);
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
  }

  @Test
  void thePagesAssetsCarryTheSameHeaders() {
    HttpResponse<byte[]> script = http.get("/assets/app.js");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/javascript"));
    assertThat(script.headers().firstValue("Content-Security-Policy"))
        .contains(PageResources.CONTENT_SECURITY_POLICY);
    assertThat(script.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
  }

  @Test
  void assetPathsCannotReachOtherClasspathResources() {
    assertThat(http.getExactly("/assets/../../logback.xml").statusCode()).isEqualTo(404);
    assertThat(http.getExactly("/assets/..%2f..%2flogback.xml").statusCode()).isEqualTo(404);
    assertThat(http.getExactly("/assets/%2e%2e/%2e%2e/logback.xml").statusCode()).isEqualTo(404);
    assertThat(http.get("/assets/nothing.js").statusCode()).isEqualTo(404);
  }

  private static long sample(HttpResponse<byte[]> response, String series) {
    return sample(Http.text(response), series);
  }

  private static long sample(String metrics, String series) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }
}
