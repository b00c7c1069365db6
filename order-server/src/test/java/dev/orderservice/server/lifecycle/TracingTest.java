package dev.orderservice.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What turns tracing on, and how the variables reach the SDK. */
class TracingTest {

  @Test
  void tracingIsOnOnlyWhenTheVariablesSayWhereSpansGo() {
    assertThat(Tracing.isOn(Map.of())).isFalse();
    assertThat(Tracing.isOn(Map.of("OTEL_SERVICE_NAME", "orders-eu"))).isFalse();
    assertThat(Tracing.isOn(Map.of("OTEL_TRACES_SAMPLER", "always_on"))).isFalse();
    assertThat(Tracing.isOn(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")))
        .isTrue();
    assertThat(Tracing.isOn(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c/v1/traces")))
        .isTrue();
    assertThat(Tracing.isOn(Map.of("OTEL_TRACES_EXPORTER", "otlp"))).isTrue();
    assertThat(
            Tracing.isOn(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                    "OTEL_TRACES_EXPORTER", "none")))
        .isFalse();
    assertThat(
            Tracing.isOn(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                    "OTEL_SDK_DISABLED", "true")))
        .isFalse();
  }

  @Test
  void offIsTheNoopOpenTelemetryAndRegistersNothingToClose() {
    try (Lifecycle lifecycle = new Lifecycle(Duration.ofSeconds(1))) {
      assertThat(Tracing.start(Map.of("OTEL_SERVICE_NAME", "x"), lifecycle))
          .isSameAs(OpenTelemetry.noop());
    }
  }

  @Test
  void theVariablesBecomeTheSdksPropertiesAndOthersAreLeftOut() {
    assertThat(
            Tracing.properties(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                    "OTEL_BSP_SCHEDULE_DELAY", "100",
                    "DB_DSN", "postgres://secret")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "otel.exporter.otlp.endpoint", "http://collector:4318",
                "otel.bsp.schedule.delay", "100"));
  }
}
