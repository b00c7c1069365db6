package dev.orderservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lookup's spans: a read is a child of the span its first miss was looked up in. */
class OrderLookupTracesTest {

  private final OrderStore store = mock(OrderStore.class);
  private final OrderCache cache = mock(OrderCache.class);
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk telemetry =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();

  @AfterEach
  void close() {
    telemetry.close();
  }

  @Test
  void aMissIsReadInASpanWhoseParentIsTheCallersSpan() {
    when(cache.get(any())).thenReturn(Optional.empty());
    when(store.findJsonAll(Set.of("a"))).thenReturn(Map.of("a", new byte[] {'{', '}'}));
    OrderLookup lookup = OrderLookup.builder(store, cache).openTelemetry(telemetry).build();
    Tracer tracer = telemetry.getTracer("test");

    Span request = tracer.spanBuilder("GET /orders/{order_uid}").startSpan();
    try (Scope scope = request.makeCurrent()) {
      assertThat(lookup.find("a").join()).isPresent();
    } finally {
      request.end();
    }

    SpanData read = only(OrderLookup.READ_SPAN);
    assertThat(read.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
    assertThat(read.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
    assertThat(read.getAttributes().get(OrderLookup.BATCH_SIZE)).isEqualTo(1L);
    assertThat(read.getAttributes().get(OrderLookup.FOUND)).isEqualTo(1L);
  }

  @Test
  void aCacheHitMakesNoSpan() {
    when(cache.get("a")).thenReturn(Optional.of(new byte[] {'{', '}'}));
    OrderLookup lookup = OrderLookup.builder(store, cache).openTelemetry(telemetry).build();

    CompletableFuture<Optional<byte[]>> found = lookup.find("a");

    assertThat(found.join()).isPresent();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aFailedReadIsAnErrorSpanAndTheLookupFailsAsBefore() {
    when(cache.get(any())).thenReturn(Optional.empty());
    when(store.findJsonAll(any())).thenThrow(new OrderStoreException("down", true, null));
    OrderLookup lookup = OrderLookup.builder(store, cache).openTelemetry(telemetry).build();

    assertThat(lookup.find("a")).isCompletedExceptionally();

    SpanData read = only(OrderLookup.READ_SPAN);
    assertThat(read.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(read.getEvents()).anyMatch(event -> event.getName().equals("exception"));
  }

  private SpanData only(String name) {
    List<SpanData> named =
        spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).hasSize(1);
    return named.get(0);
  }
}
