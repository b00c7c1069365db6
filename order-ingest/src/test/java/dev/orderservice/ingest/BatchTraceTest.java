package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.TraceLog;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The links of a batch span to its records' producers, and what an untraced batch costs. */
class BatchTraceTest {

  private final TestTracing tracing = new TestTracing();
  private final AtomicInteger headerReads = new AtomicInteger();

  @AfterEach
  void closeTracing() {
    tracing.close();
  }

  @Test
  void aBatchSpanLinksTheProducersOfItsFirst128TracedRecordsOnly() {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(record(0, null)); // no traceparent: not linked
    records.add(record(1, "00-not-a-traceparent-01")); // unreadable: not linked
    for (int i = 2; i < 202; i++) {
      records.add(record(i, traceparent(i)));
    }
    BatchTrace trace = tracingOf(tracing.openTelemetry()).startBatch();

    trace.link(records.subList(0, 100));
    trace.link(records.subList(100, records.size())); // a batch grown by a later poll
    trace.end();

    SpanData batch = tracing.named(IngestTracing.BATCH).get(0);
    assertThat(batch.getTotalRecordedLinks()).isEqualTo(IngestTracing.MAX_LINKS);
    assertThat(batch.getLinks())
        .extracting(LinkData::getSpanContext)
        .extracting(c -> c.getTraceId())
        .containsExactlyElementsOf(
            records.subList(2, 2 + IngestTracing.MAX_LINKS).stream()
                .map(r -> traceId((int) r.offset()))
                .toList());
    // traceparent and tracestate of each record read, up to the cap; none after it
    assertThat(headerReads.get())
        .as("headers read")
        .isLessThanOrEqualTo(2 * (2 + IngestTracing.MAX_LINKS));
  }

  @Test
  void withoutTracingOrWithANoopOneNoSpanIsMadeAndNoHeaderIsRead() {
    List<ConsumerRecord<byte[], byte[]>> records = List.of(record(0, traceparent(0)));
    for (IngestTracing off :
        List.of(IngestTracing.OFF, tracingOf(OpenTelemetry.noop()), tracingOf(null))) {
      BatchTrace trace = off.startBatch();
      trace.link(records);
      assertThat(trace).isSameAs(BatchTrace.OFF);
      try (TraceLog current = trace.current()) {
        assertThat(MDC.get(TraceLog.TRACE_ID)).isNull();
      }
    }
    assertThat(headerReads).hasValue(0);
  }

  @Test
  void aBatchTheSamplerDropsReadsNoHeader() {
    TestTracing sampledOut = new TestTracing(Sampler.alwaysOff());
    BatchTrace trace = tracingOf(sampledOut.openTelemetry()).startBatch();

    trace.link(List.of(record(0, traceparent(0))));

    trace.end();

    assertThat(headerReads).hasValue(0);
    assertThat(sampledOut.spans()).isEmpty();
    sampledOut.close();
  }

  private static IngestTracing tracingOf(OpenTelemetry openTelemetry) {
    return IngestTracing.of(openTelemetry, "orders", "order-service", "orders.dlq");
  }

  private ConsumerRecord<byte[], byte[]> record(int offset, String traceparent) {
    RecordHeaders headers = new CountingHeaders();
    if (traceparent != null) {
      headers.add("traceparent", traceparent.getBytes(UTF_8));
    }
    return new ConsumerRecord<>(
        "orders",
        0,
        offset,
        0L,
        TimestampType.CREATE_TIME,
        0,
        0,
        null,
        new byte[0],
        headers,
        Optional.empty());
  }

  private static String traceparent(int i) {
    return "00-" + traceId(i) + "-" + "00f067aa0ba902b7" + "-01";
  }

  private static String traceId(int i) {
    return "4bf92f3577b34da6" + HexFormat.of().toHexDigits((long) i + 1);
  }

  /** Headers that count how often they are read. */
  private final class CountingHeaders extends RecordHeaders {
    @Override
    public Header lastHeader(String key) {
      headerReads.incrementAndGet();
      return super.lastHeader(key);
    }

    @Override
    public Iterable<Header> headers(String key) {
      headerReads.incrementAndGet();
      return super.headers(key);
    }

    @Override
    public Iterator<Header> iterator() {
      headerReads.incrementAndGet();
      return super.iterator();
    }
  }
}
