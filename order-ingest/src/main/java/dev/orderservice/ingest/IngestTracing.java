package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The ingest's traces, through the {@link OpenTelemetry} its caller handed in: starts the span of
 * each batch ({@link BatchTrace}) and of each offset commit. What each span and attribute means is
 * in the {@linkplain dev.orderservice.ingest package documentation}.
 *
 * <p>Off when no {@code OpenTelemetry} was given or it is {@link OpenTelemetry#noop()}: then {@link
 * #startBatch} returns {@link BatchTrace#OFF} and nothing is started, parsed or allocated per
 * batch. The global {@code OpenTelemetry} is never used.
 *
 * <p>Immutable and thread safe.
 */
final class IngestTracing {

  /** The instrumentation scope of the ingest's spans. */
  static final String SCOPE = "dev.orderservice.ingest";

  /**
   * The most producer spans one batch span links to: the SDK's default limit of links per span,
   * beyond which it would drop them anyway. Records after the first 128 that carry a {@code
   * traceparent} are not linked, and their headers not even read.
   */
  static final int MAX_LINKS = 128;

  static final String BATCH = "process orders";
  static final String CHECK = "check orders";
  static final String STORE = "store orders";
  static final String DEAD_LETTERS = "publish dead letters";
  static final String COMMIT = "commit offsets";

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
  static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<Long> MESSAGE_COUNT =
      AttributeKey.longKey("messaging.batch.message_count");
  static final AttributeKey<String> PARTITION =
      AttributeKey.stringKey("messaging.destination.partition.id");
  static final AttributeKey<List<String>> PARTITIONS =
      AttributeKey.stringArrayKey("order.partition.ids");
  static final AttributeKey<Long> INSERTED = AttributeKey.longKey("order.inserted");
  static final AttributeKey<Long> DUPLICATE = AttributeKey.longKey("order.duplicate");
  static final AttributeKey<Long> CONFLICT = AttributeKey.longKey("order.conflict");
  static final AttributeKey<Long> REJECTED = AttributeKey.longKey("order.rejected");
  static final AttributeKey<Long> ORDERS = AttributeKey.longKey("order.count");
  static final AttributeKey<Long> BATCHES = AttributeKey.longKey("order.batch.count");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("order.retry.attempt");
  static final AttributeKey<Long> WAIT_MS = AttributeKey.longKey("order.retry.wait_ms");
  static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

  /** Off: no spans at all. */
  static final IngestTracing OFF = new IngestTracing(null, Attributes.empty(), "");

  private static final TextMapGetter<Headers> HEADERS = new HeaderGetter();

  private final Tracer tracer;
  private final Attributes batchAttributes;
  private final String deadLetterTopic;

  private IngestTracing(Tracer tracer, Attributes batchAttributes, String deadLetterTopic) {
    this.tracer = tracer;
    this.batchAttributes = batchAttributes;
    this.deadLetterTopic = deadLetterTopic;
  }

  /**
   * The tracing of an ingest of {@code topic} as {@code group}: off when {@code openTelemetry} is
   * null or the no-op one.
   */
  static IngestTracing of(
      OpenTelemetry openTelemetry, String topic, String group, String deadLetterTopic) {
    if (openTelemetry == null || openTelemetry == OpenTelemetry.noop()) {
      return OFF;
    }
    Attributes batch =
        Attributes.builder()
            .put(SYSTEM, "kafka")
            .put(DESTINATION, topic)
            .put(GROUP, group)
            .put(OPERATION_TYPE, "process")
            .put(OPERATION_NAME, "process")
            .build();
    return new IngestTracing(openTelemetry.getTracer(SCOPE), batch, deadLetterTopic);
  }

  /**
   * Starts the span of a batch just polled, a root: its records' producers are linked, not parents,
   * as a batch has many. {@link BatchTrace#OFF} when tracing is off, or the span has no valid
   * context (an {@code OpenTelemetry} whose tracer records nothing).
   */
  BatchTrace startBatch() {
    if (tracer == null) {
      return BatchTrace.OFF;
    }
    Span span =
        tracer
            .spanBuilder(BATCH)
            .setSpanKind(SpanKind.CONSUMER)
            .setNoParent()
            .setAllAttributes(batchAttributes)
            .startSpan();
    return span.getSpanContext().isValid() ? new BatchTrace(this, span) : BatchTrace.OFF;
  }

  /** Starts a span named {@code name}, a child of {@code parent}, on any thread. */
  Span startChild(String name, Span parent) {
    return tracer.spanBuilder(name).setParent(Context.root().with(parent)).startSpan();
  }

  /** Starts the dead-letter publish span of a batch, a child of {@code parent}. */
  Span startDeadLetters(Span parent, int letters) {
    return tracer
        .spanBuilder(DEAD_LETTERS)
        .setParent(Context.root().with(parent))
        .setAttribute(DESTINATION, deadLetterTopic)
        .setAttribute(MESSAGE_COUNT, (long) letters)
        .startSpan();
  }

  /**
   * Starts the span of one commit of the offsets of {@code batches}, settled together: a child of
   * the oldest one's span, linked to the others' (up to {@link #MAX_LINKS}). An invalid span when
   * tracing is off or the oldest is not traced.
   */
  Span startCommit(List<Batch> batches) {
    if (tracer == null || batches.isEmpty() || batches.get(0).trace() == BatchTrace.OFF) {
      return Span.getInvalid();
    }
    var builder =
        tracer
            .spanBuilder(COMMIT)
            .setParent(Context.root().with(batches.get(0).trace().span()))
            .setAttribute(BATCHES, (long) batches.size());
    for (Batch batch : batches.subList(1, Math.min(batches.size(), MAX_LINKS + 1))) {
      builder.addLink(batch.trace().span().getSpanContext());
    }
    return builder.startSpan();
  }

  /**
   * The span context of the producer of {@code record}: from its W3C {@code traceparent} header,
   * invalid if it has none, or none that parses.
   */
  static SpanContext producerOf(ConsumerRecord<?, ?> record) {
    Context extracted =
        W3CTraceContextPropagator.getInstance().extract(Context.root(), record.headers(), HEADERS);
    return Span.fromContext(extracted).getSpanContext();
  }

  /**
   * Marks {@code span} failed by {@code failure}: its class only, as an exception's message may
   * quote a value of an order.
   */
  static void failed(Span span, Throwable failure) {
    span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
    span.setAttribute(EXCEPTION_TYPE, failure.getClass().getName());
  }

  /** Reads a propagation header from Kafka headers: the last one of a name wins, as in Kafka. */
  private static final class HeaderGetter implements TextMapGetter<Headers> {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      for (Header header : headers) {
        keys.add(header.key());
      }
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      Header header = headers == null ? null : headers.lastHeader(key);
      return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
    }
  }
}
