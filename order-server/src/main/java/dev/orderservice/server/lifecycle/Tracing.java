package dev.orderservice.server.lifecycle;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@link OpenTelemetry}: the SDK configured by its own autoconfiguration from the
 * {@code OTEL_*} variables, exactly as OpenTelemetry documents them ({@code
 * OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_SERVICE_NAME}, {@code OTEL_TRACES_SAMPLER}, {@code
 * OTEL_BSP_SCHEDULE_DELAY}, ...), with the service name {@value #DEFAULT_SERVICE_NAME} unless they
 * name one, OTLP over HTTP/protobuf unless {@code OTEL_EXPORTER_OTLP_PROTOCOL} says {@code grpc},
 * and metrics and logs not exported (the service has Prometheus and its log lines).
 *
 * <p>Tracing is on ({@link #isOn}) when the variables say where spans go: {@code
 * OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} is set, or {@code
 * OTEL_TRACES_EXPORTER} names an exporter other than {@code none}; and {@code OTEL_SDK_DISABLED} is
 * not {@code true}. Otherwise it is off: {@link OpenTelemetry#noop()}, no SDK built, no exporter
 * thread, nothing sent (the SDK's own default would send to localhost:4318, which rarely has a
 * collector). On, the SDK is closed on shutdown, after everything that makes spans has stopped, and
 * its last spans are sent then.
 */
public final class Tracing {

  /** The service name of the spans unless {@code OTEL_SERVICE_NAME} says otherwise. */
  public static final String DEFAULT_SERVICE_NAME = "order-service";

  /** The most the shutdown waits for the last spans to be sent. */
  static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

  private Tracing() {}

  /**
   * The OpenTelemetry the {@code OTEL_*} variables ask for (see the class comment), its SDK's close
   * registered with {@code lifecycle}.
   *
   * @param variables the process's {@code OTEL_*} environment variables (others are ignored)
   * @throws RuntimeException the autoconfiguration's, for a value it cannot use (e.g. an unknown
   *     sampler), naming the variable's property
   */
  public static OpenTelemetry start(Map<String, String> variables, Lifecycle lifecycle) {
    if (!isOn(variables)) {
      LOG.info("traces: off (set OTEL_EXPORTER_OTLP_ENDPOINT to send them)");
      return OpenTelemetry.noop();
    }
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(Tracing::defaults)
            // The variables handed over, not only the process's: tests and embedders pass theirs.
            .addPropertiesCustomizer(config -> properties(variables))
            .disableShutdownHook() // closed in the shutdown's order, below
            .build()
            .getOpenTelemetrySdk();
    lifecycle.onClose(
        "send the last spans and stop the trace exporter",
        () -> sdk.shutdown().join(lifecycle.remainingMillis(FLUSH_TIMEOUT), TimeUnit.MILLISECONDS));
    LOG.info(
        "traces: on, service {}, exporter {}",
        variables.getOrDefault("OTEL_SERVICE_NAME", DEFAULT_SERVICE_NAME),
        variables.getOrDefault("OTEL_TRACES_EXPORTER", "otlp"));
    return sdk;
  }

  /** Whether {@code variables} turn tracing on (see the class comment). */
  public static boolean isOn(Map<String, String> variables) {
    if ("true".equalsIgnoreCase(variables.getOrDefault("OTEL_SDK_DISABLED", "").strip())) {
      return false;
    }
    String exporter = variables.getOrDefault("OTEL_TRACES_EXPORTER", "").strip();
    if (!exporter.isEmpty()) {
      return !exporter.equalsIgnoreCase("none");
    }
    return !variables.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "").isBlank()
        || !variables.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").isBlank();
  }

  /** What the service wants unless a variable says otherwise. */
  private static Map<String, String> defaults() {
    return Map.of(
        "otel.service.name", DEFAULT_SERVICE_NAME,
        // OTLP over HTTP on 4318, as OpenTelemetry's specification recommends and Jaeger and the
        // Collector listen; the Java SDK alone defaults to gRPC (4317).
        "otel.exporter.otlp.protocol", "http/protobuf",
        "otel.metrics.exporter", "none",
        "otel.logs.exporter", "none");
  }

  /**
   * The variables as the SDK's properties: OTEL_EXPORTER_OTLP_ENDPOINT is
   * otel.exporter.otlp.endpoint.
   */
  static Map<String, String> properties(Map<String, String> variables) {
    Map<String, String> properties = new TreeMap<>();
    variables.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_")) {
            properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
          }
        });
    return properties;
  }
}
