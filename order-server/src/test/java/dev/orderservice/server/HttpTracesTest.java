package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderservice.server.OtlpReceiver.Received;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces of a real server run (a process of its own, exporting by OTLP/HTTP to a receiver in this
 * test): a request that carries a W3C {@code traceparent} is a server span in the caller's trace,
 * named by its route template, with the lookup's read and the search's query as its children; and
 * the JSON log lines of the request carry its trace id.
 */
class HttpTracesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UID = "b563feb7b2b84b6test";

  @TempDir Path dataDir;

  private final Random random = new Random();

  @Test
  void aRequestWithATraceparentContinuesTheCallersTraceAndItsLogLinesCarryItsTraceId()
      throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.start();
        ChildServer server = ChildServer.start("http-traces", env(receiver))) {
      Http http = server.awaitListening(Duration.ofSeconds(60));
      assertThat(http.postJson("/orders", TestStack.sampleBytes()).statusCode()).isEqualTo(201);
      Caller found = new Caller();
      Caller missing = new Caller();
      Caller search = new Caller();

      assertThat(http.get("/orders/" + UID, "traceparent", found.traceparent()).statusCode())
          .isEqualTo(200);
      assertThat(
              http.get("/orders/no-such-order", "traceparent", missing.traceparent()).statusCode())
          .isEqualTo(404);
      assertThat(
              http.get("/orders?customer_id=test", "traceparent", search.traceparent())
                  .statusCode())
          .isEqualTo(200);

      Received get =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> serverSpan(receiver, found), s -> s != null);
      assertThat(get.name()).isEqualTo("GET /orders/{order_uid}");
      assertThat(get.parentSpanId()).isEqualTo(found.spanId);
      assertThat(get.attribute("http.request.method")).hasValue("GET");
      assertThat(get.attribute("http.route")).hasValue("/orders/{order_uid}");
      assertThat(get.attribute("http.response.status_code")).hasValue("200");
      assertThat(get.resourceAttribute("service.name")).hasValue("order-service");
      assertThat(get.span().toString()).doesNotContain(UID);

      Received notFound =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> serverSpan(receiver, missing), s -> s != null);
      assertThat(notFound.name()).isEqualTo("GET /orders/{order_uid}");
      assertThat(notFound.attribute("http.response.status_code")).hasValue("404");
      Received read =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> child(receiver, notFound, "read orders"), s -> s != null);
      assertThat(read.attribute("order.lookup.batch_size")).hasValue("1");
      assertThat(read.attribute("order.lookup.found")).hasValue("0");

      Received searched =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> serverSpan(receiver, search), s -> s != null);
      assertThat(searched.name()).isEqualTo("GET /orders");
      Received query =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> child(receiver, searched, "SELECT orders"), s -> s != null);
      assertThat(query.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
      assertThat(query.attribute("db.system.name")).hasValue("postgresql");
      assertThat(query.attribute("order.search.results")).hasValue("1");

      server.terminate();
      assertThat(server.process().waitFor(40, TimeUnit.SECONDS)).isTrue();
      List<JsonNode> access = new ArrayList<>();
      for (String line : server.log()) {
        JsonNode event = JSON.readTree(line);
        if (event.path("loggerName").asText().endsWith(".access")) {
          access.add(event);
        }
      }
      assertThat(access)
          .as("the access line of the GET carries its trace and span ids")
          .anySatisfy(
              event -> {
                assertThat(event.path("mdc").path("trace_id").asText()).isEqualTo(found.traceId);
                assertThat(event.path("mdc").path("span_id").asText()).isEqualTo(get.spanId());
              });
      assertThat(access)
          .as("the access line of the POST, sent without a traceparent, has a trace of its own")
          .anySatisfy(
              event -> {
                assertThat(event.path("mdc").path("route").asText()).isEqualTo("/orders");
                assertThat(event.path("mdc").path("trace_id").asText()).hasSize(32);
              });
    }
  }

  /** The server span of {@code caller}'s trace, or null until it has arrived. */
  private static Received serverSpan(OtlpReceiver receiver, Caller caller) {
    return receiver.spans().stream()
        .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER)
        .filter(s -> s.traceId().equals(caller.traceId))
        .findFirst()
        .orElse(null);
  }

  /** The span named {@code name} whose parent is {@code parent}, or null until it has arrived. */
  private static Received child(OtlpReceiver receiver, Received parent, String name) {
    return receiver.spans().stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> s.traceId().equals(parent.traceId()))
        .filter(s -> s.parentSpanId().equals(parent.spanId()))
        .findFirst()
        .orElse(null);
  }

  private Map<String, String> env(OtlpReceiver receiver) {
    return Map.of(
        "DB_DSN",
        TestStack.jdbcUrlWithOwnSchema("traces"),
        "KAFKA_BROKER",
        TestStack.kafkaBrokers(),
        "KAFKA_TOPIC",
        TestStack.newTopic("traces"),
        "HTTP_ADDR",
        "127.0.0.1:0",
        "DATA_DIR",
        dataDir.toString(),
        "LOG_FORMAT",
        "json",
        "ACCESS_LOG",
        "true",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        receiver.endpoint(),
        // Send each batch of spans within 100 ms, not the default 5 s.
        "OTEL_BSP_SCHEDULE_DELAY",
        "100");
  }

  /** A client's span: the trace and span ids its traceparent names. */
  private final class Caller {
    final String traceId = hex(16);
    final String spanId = hex(8);

    String traceparent() {
      return "00-" + traceId + "-" + spanId + "-01";
    }

    private String hex(int bytes) {
      byte[] id = new byte[bytes];
      random.nextBytes(id);
      id[0] |= 1; // never all zeros, which W3C trace context calls invalid
      return HexFormat.of().formatHex(id);
    }
  }
}
