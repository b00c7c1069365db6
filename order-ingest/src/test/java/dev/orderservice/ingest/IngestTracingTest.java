package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.TraceLog;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ingest's spans, through an OpenTelemetry SDK the test hands in, and its MDC. */
class IngestTracingTest {

  private static final String PRODUCER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String REJECTED_PRODUCER =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final RunningTasks running = new RunningTasks();
  private final TestTracing tracing = new TestTracing();
  private TestSchema schema;
  private SwitchableStore store;
  private TestTopics names;

  @BeforeEach
  void createSchemaAndTopic() {
    schema = TestSchema.migrated("tracing");
    store = new SwitchableStore(schema.store());
    names = TestTopics.create("tracing", 1);
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    tracing.close();
    schema.close();
  }

  @Test
  void aBatchSpanIsLinkedToTheProducerOfItsRecordsAndHasStoreAndCommitChildren() {
    List<Order> orders = produce(300, 0);
    OrderIngest ingest = start(b -> b.openTelemetry(tracing.openTelemetry()));
    awaitCommitted();

    SpanData batch = tracing.batchLinkedTo(PRODUCER);
    assertThat(batch.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(batch.getParentSpanContext().isValid()).as("a batch span is a root").isFalse();
    assertThat(batch.getLinks())
        .extracting(LinkData::getSpanContext)
        .anyMatch(l -> l.getTraceId().equals(traceId(PRODUCER)) && l.getSpanId().equals(spanId()));
    assertThat(batch.getAttributes().get(IngestTracing.SYSTEM)).isEqualTo("kafka");
    assertThat(batch.getAttributes().get(IngestTracing.DESTINATION)).isEqualTo(names.topic());
    assertThat(batch.getAttributes().get(IngestTracing.GROUP)).isEqualTo(names.group());
    assertThat(batch.getAttributes().get(IngestTracing.OPERATION_TYPE)).isEqualTo("process");
    assertThat(batch.getAttributes().get(IngestTracing.PARTITION)).isEqualTo("0");
    assertThat(batch.getAttributes().get(IngestTracing.REJECTED)).isZero();

    List<SpanData> batches = tracing.named(IngestTracing.BATCH);
    assertThat(sum(batches, IngestTracing.MESSAGE_COUNT))
        .as("each record in one batch span")
        .isEqualTo(orders.size());
    assertThat(sum(batches, IngestTracing.INSERTED)).isEqualTo(orders.size());
    assertThat(sum(batches, IngestTracing.DUPLICATE)).isZero();
    assertThat(sum(batches, IngestTracing.CONFLICT)).isZero();

    List<String> steps = tracing.childrenOf(batch).stream().map(SpanData::getName).toList();
    assertThat(steps).contains(IngestTracing.CHECK, IngestTracing.STORE);
    List<SpanData> stores = tracing.named(IngestTracing.STORE);
    assertThat(sum(stores, IngestTracing.ORDERS))
        .as("each order stored in one store span")
        .isEqualTo(orders.size());
    assertThat(stores)
        .allMatch(s -> batches.stream().anyMatch(b -> isParent(b, s)), "a child of a batch");

    // One commit covers one or more batches: a child of the oldest, linked to the others. It ends
    // when the broker's answer reaches the ingest, which may be just after the offsets show.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              List<SpanData> commits = tracing.named(IngestTracing.COMMIT);
              for (SpanData each : batches) {
                assertThat(commits)
                    .as("the commit of batch span %s", each.getSpanId())
                    .anyMatch(
                        c ->
                            isParent(each, c)
                                || c.getLinks().stream()
                                    .anyMatch(
                                        l -> l.getSpanContext().equals(each.getSpanContext())));
              }
            });
    assertThat(tracing.childrenOf(batches.get(0)))
        .extracting(SpanData::getName)
        .contains(IngestTracing.COMMIT);
    assertThat(ingest.metrics().ordersInserted()).isEqualTo(orders.size());
  }

  @Test
  void aRejectedRecordIsDeadLetteredWithItsTraceparentInAPublishSpanOfItsBatch() {
    produce(5, 1);
    start(b -> b.openTelemetry(tracing.openTelemetry()));
    awaitCommitted();

    List<ConsumerRecord<byte[], byte[]>> deadLetters = TestBroker.readAll(names.deadLetterTopic());
    assertThat(deadLetters).hasSize(1);
    Header traceparent = deadLetters.get(0).headers().lastHeader("traceparent");
    assertThat(traceparent).as("the dead letter's traceparent").isNotNull();
    assertThat(new String(traceparent.value(), UTF_8)).isEqualTo(REJECTED_PRODUCER);

    SpanData batch = tracing.batchLinkedTo(REJECTED_PRODUCER);
    assertThat(batch.getAttributes().get(IngestTracing.REJECTED)).isEqualTo(1);
    SpanData publish =
        tracing.childrenOf(batch).stream()
            .filter(s -> s.getName().equals(IngestTracing.DEAD_LETTERS))
            .findFirst()
            .orElseThrow();
    assertThat(publish.getAttributes().get(IngestTracing.DESTINATION))
        .isEqualTo(names.deadLetterTopic());
    assertThat(publish.getAttributes().get(IngestTracing.MESSAGE_COUNT)).isEqualTo(1);
  }

  @Test
  void logLinesMadeWhileABatchIsProcessedCarryItsTraceIdOnTheIngestAndStoreThreads() {
    try (IngestLog log = IngestLog.capture()) {
      produce(5, 1);
      start(b -> b.openTelemetry(tracing.openTelemetry()));
      awaitCommitted();

      SpanData batch = tracing.batchLinkedTo(REJECTED_PRODUCER);
      ILoggingEvent rejection = rejectionLine(log);
      assertThat(rejection.getMDCPropertyMap())
          .containsEntry(TraceLog.TRACE_ID, batch.getTraceId())
          .containsEntry(TraceLog.SPAN_ID, batch.getSpanId());
      assertThat(store.storingTraceIds()).contains(batch.getTraceId());
      List<String> lines =
          log.events(Level.INFO).stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(log.events(Level.INFO).stream().filter(e -> !e.equals(rejection)))
          .as("lines made outside the batch: %s", lines)
          .allMatch(e -> !e.getMDCPropertyMap().containsKey(TraceLog.TRACE_ID));
    }
  }

  @Test
  void aRetryAfterAnOutageIsAnEventOfTheBatchSpanWithTheAttemptAndTheWait() {
    store.down();
    produce(3, 0);
    OrderIngest ingest = start(b -> b.openTelemetry(tracing.openTelemetry()));
    await().atMost(Duration.ofSeconds(30)).until(() -> ingest.metrics().retries() >= 2);
    store.up();
    awaitCommitted();

    SpanData batch = tracing.batchLinkedTo(PRODUCER);
    List<EventData> retries =
        batch.getEvents().stream().filter(e -> e.getName().equals("retry")).toList();
    assertThat(retries).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 0; i < retries.size(); i++) {
      EventData retry = retries.get(i);
      assertThat(retry.getAttributes().get(IngestTracing.ATTEMPT)).isEqualTo(i + 2);
      assertThat(retry.getAttributes().get(IngestTracing.WAIT_MS)).isPositive();
      assertThat(retry.getAttributes().get(IngestTracing.EXCEPTION_TYPE))
          .isEqualTo(OrderStoreException.class.getName());
    }
    List<SpanData> stores =
        tracing.childrenOf(batch).stream()
            .filter(s -> s.getName().equals(IngestTracing.STORE))
            .toList();
    assertThat(stores)
        .filteredOn(s -> s.getStatus().getStatusCode() == StatusCode.ERROR)
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(stores)
        .filteredOn(s -> s.getStatus().getStatusCode() != StatusCode.ERROR)
        .hasSize(1);
    assertThat(batch.getAttributes().get(IngestTracing.INSERTED)).isEqualTo(3);
  }

  @Test
  void withoutAnOpenTelemetryNothingIsRecordedEvenByTheGlobalOneAndNoMdcKeyAppears() {
    GlobalOpenTelemetry.set(tracing.openTelemetry());
    try (IngestLog log = IngestLog.capture()) {
      produce(5, 1);
      start(UnaryOperator.identity());
      awaitCommitted();

      ILoggingEvent rejection = rejectionLine(log);
      assertThat(rejection.getMDCPropertyMap())
          .doesNotContainKeys(TraceLog.TRACE_ID, TraceLog.SPAN_ID);
      assertThat(store.storingTraceIds()).isNotEmpty().containsOnly("");
      assertThat(tracing.spans()).isEmpty();
    } finally {
      GlobalOpenTelemetry.resetForTest();
    }
  }

  /**
   * Produces {@code valid} orders, the first with the traceparent {@link #PRODUCER}, then {@code
   * invalid} records that are no JSON, the first with {@link #REJECTED_PRODUCER}.
   */
  private List<Order> produce(int valid, int invalid) {
    RandomOrders random = new RandomOrders(25L);
    List<Order> orders = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < valid; i++) {
      Order order = random.next();
      orders.add(order);
      records.add(
          record(order.orderUid(), OrderCodec.standard().encode(order), i == 0 ? PRODUCER : null));
    }
    for (int i = 0; i < invalid; i++) {
      records.add(
          record("bad-" + i, "{not json".getBytes(UTF_8), i == 0 ? REJECTED_PRODUCER : null));
    }
    TestBroker.produce(records);
    return orders;
  }

  private ProducerRecord<byte[], byte[]> record(String key, byte[] value, String traceparent) {
    List<Header> headers =
        traceparent == null ? List.of() : List.of(TestTracing.traceparentHeader(traceparent));
    return new ProducerRecord<>(names.topic(), null, key.getBytes(UTF_8), value, headers);
  }

  private OrderIngest start(UnaryOperator<OrderIngest.Builder> settings) {
    OrderService service = new OrderService(store, new MapOrderCache());
    OrderIngest ingest = settings.apply(TestIngest.builder(names, service)).build();
    running.start(ingest);
    return ingest;
  }

  private void awaitCommitted() {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(names::allCommitted);
  }

  private static ILoggingEvent rejectionLine(IngestLog log) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                log.events(Level.INFO).stream()
                    .filter(e -> e.getFormattedMessage().startsWith("rejected "))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static boolean isParent(SpanData parent, SpanData child) {
    return child.getParentSpanContext().equals(parent.getSpanContext());
  }

  private static long sum(List<SpanData> spans, AttributeKey<Long> key) {
    return spans.stream()
        .map(s -> s.getAttributes().get(key))
        .filter(Objects::nonNull)
        .mapToLong(Long::longValue)
        .sum();
  }

  private static String traceId(String traceparent) {
    return traceparent.split("-")[1];
  }

  private static String spanId() {
    return PRODUCER.split("-")[2];
  }
}
