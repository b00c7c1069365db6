package dev.orderservice.bench;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Tracing on, for the side of a benchmark that measures it in this JVM: an OpenTelemetry SDK as the
 * server's autoconfiguration builds it by default (every span sampled, batched by a {@link
 * BatchSpanProcessor} with its default settings, exported by OTLP over HTTP/protobuf), sending to
 * an {@link OtlpSink} that discards. {@link #close()} flushes, then stops both. Thread safe.
 */
final class BenchTracing implements AutoCloseable {

  private final OtlpSink sink;
  private final OpenTelemetrySdk sdk;

  private BenchTracing(OtlpSink sink) {
    this.sink = sink;
    Resource resource =
        Resource.getDefault()
            .merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "bench")));
    this.sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setResource(resource)
                    .addSpanProcessor(
                        BatchSpanProcessor.builder(
                                OtlpHttpSpanExporter.builder()
                                    .setEndpoint(sink.endpoint() + "/v1/traces")
                                    .build())
                            .build())
                    .build())
            .build();
  }

  static BenchTracing start() throws IOException {
    return new BenchTracing(OtlpSink.start());
  }

  OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** What reached the sink: requests and bytes. */
  String sent() {
    return String.format("%,d export requests, %,d B", sink.requests(), sink.bytes());
  }

  @Override
  public void close() {
    sdk.shutdown().join(10, TimeUnit.SECONDS);
    sink.close();
  }
}
