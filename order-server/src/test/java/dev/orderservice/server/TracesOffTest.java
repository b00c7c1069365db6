package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.server.lifecycle.Lifecycle;
import dev.orderservice.server.lifecycle.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * With no {@code OTEL_*} setting, tracing is off: no SDK, no exporter thread, nothing sent, even to
 * the port where an SDK with its defaults would send (4318 on this machine).
 */
class TracesOffTest {

  /** What the SDK's threads are called: its span processor's, and its HTTP client's. */
  private static final List<String> EXPORTER_THREADS = List.of("batchspanprocessor", "okhttp");

  @Test
  void withNoOtelSettingNoExporterThreadExistsAndNothingIsSent() throws Exception {
    Optional<OtlpReceiver> defaultPort = OtlpReceiver.startOn(4318);
    // Another test of this JVM may have left an SDK's idle HTTP threads: only new ones count.
    Set<Thread> before = exporterThreads();
    try (OrderServer server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("traces_off"), TestStack.newTopic("traces-off"))) {
      Http http = new Http(server);
      assertThat(http.postJson("/orders", TestStack.sampleBytes()).statusCode()).isEqualTo(201);
      String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      assertThat(http.get("/orders/b563feb7b2b84b6test", "traceparent", traceparent).statusCode())
          .isEqualTo(200);
      assertThat(http.get("/orders/no-such-order", "traceparent", traceparent).statusCode())
          .isEqualTo(404);
      assertThat(http.get("/orders?customer_id=test").statusCode()).isEqualTo(200);

      Set<Thread> started = exporterThreads();
      started.removeAll(before);
      assertThat(started).isEmpty();
    } finally {
      defaultPort.ifPresent(OtlpReceiver::close);
    }
    defaultPort.ifPresent(receiver -> assertThat(receiver.requests()).isZero());
  }

  @Test
  void theThreadCheckSeesTheExporterOfASdkThatIsOn() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.start();
        Lifecycle lifecycle = new Lifecycle(Duration.ofSeconds(5))) {
      OpenTelemetry on =
          Tracing.start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()), lifecycle);
      assertThat(on).isNotSameAs(OpenTelemetry.noop());
      assertThat(exporterThreads())
          .anyMatch(thread -> thread.getName().startsWith("BatchSpanProcessor"));
    }
  }

  private static Set<Thread> exporterThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName().toLowerCase(Locale.ROOT);
      if (EXPORTER_THREADS.stream().anyMatch(name::contains)) {
        threads.add(thread);
      }
    }
    return threads;
  }
}
