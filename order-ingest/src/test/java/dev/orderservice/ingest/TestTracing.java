package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * An OpenTelemetry SDK of the test's own (never the global one) whose tracer provider keeps every
 * ended span in memory, to read back. Closing shuts it down.
 */
final class TestTracing implements AutoCloseable {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk;

  /** Samples every span. */
  TestTracing() {
    this(Sampler.parentBased(Sampler.alwaysOn()));
  }

  TestTracing(Sampler sampler) {
    sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setSampler(sampler)
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .build();
  }

  OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** The spans ended so far. */
  List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /** The spans named {@code name} ended so far. */
  List<SpanData> named(String name) {
    return spans().stream().filter(s -> s.getName().equals(name)).toList();
  }

  /** The spans ended so far whose parent is {@code parent}. */
  List<SpanData> childrenOf(SpanData parent) {
    return spans().stream()
        .filter(s -> s.getParentSpanContext().equals(parent.getSpanContext()))
        .toList();
  }

  /** Waits (at most 30 s) for the batch span linked to the producer span {@code traceparent}. */
  SpanData batchLinkedTo(String traceparent) {
    String traceId = traceparent.split("-")[1];
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                named(IngestTracing.BATCH).stream()
                    .filter(
                        s ->
                            s.getLinks().stream()
                                .anyMatch(l -> l.getSpanContext().getTraceId().equals(traceId)))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** A W3C {@code traceparent} header of a sampled producer span. */
  static Header traceparentHeader(String traceparent) {
    return new RecordHeader("traceparent", traceparent.getBytes(UTF_8));
  }

  @Override
  public void close() {
    sdk.close();
  }
}
