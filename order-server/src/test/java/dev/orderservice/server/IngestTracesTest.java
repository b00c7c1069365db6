package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderCopies;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.server.OtlpReceiver.Received;
import dev.orderservice.testsupport.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INGEST PART OF #25, for after the merge of the ingest's traces (branch trace-ingest: {@code
 * OrderIngest.builder().openTelemetry(...)}, and the server passing its OpenTelemetry to it): a
 * record produced with a {@code traceparent} yields a {@code process orders} batch span linked to
 * the producer's trace, with store and commit child spans; a rejected record's dead letter keeps
 * its {@code traceparent}; the JSON log lines of the batch carry the batch's trace id. A real
 * server process exports to the receiver in this test. Drop this file if that merge does not come.
 */
class IngestTracesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  @Test
  void aRecordWithATraceparentIsInABatchSpanLinkedToItsProducerAndItsDeadLetterKeepsIt()
      throws Exception {
    String topic = TestStack.newTopic("ingest-traces");
    RandomOrders random = new RandomOrders(20261206);
    Order valid = random.next();
    Order invalid = OrderCopies.withEmail(random.next(), "not-an-address");
    String validParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String invalidParent = "00-5bf92f3577b34da6a3ce929d0e0e4737-10f067aa0ba902b8-01";
    try (OtlpReceiver receiver = OtlpReceiver.start();
        ChildServer server = ChildServer.start("ingest-traces", env(topic, receiver))) {
      server.awaitListening(Duration.ofSeconds(60));
      TestBroker.produce(
          List.of(record(topic, valid, validParent), record(topic, invalid, invalidParent)));

      Received batch =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> batchLinkedTo(receiver, traceId(validParent)), s -> s != null);
      assertThat(batch.attribute("messaging.system")).hasValue("kafka");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(childNames(receiver, batch))
                      .anyMatch(name -> name.contains("store"))
                      .anyMatch(name -> name.contains("commit")));

      List<ConsumerRecord<byte[], byte[]>> letters =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> TestBroker.readAll(topic + ".dlq"), list -> !list.isEmpty());
      Header kept = letters.get(0).headers().lastHeader("traceparent");
      assertThat(kept).as("the dead letter's traceparent").isNotNull();
      assertThat(new String(kept.value(), UTF_8)).isEqualTo(invalidParent);

      server.terminate();
      assertThat(server.process().waitFor(40, TimeUnit.SECONDS)).isTrue();
      JsonNode rejected = null;
      for (String line : server.log()) {
        JsonNode event = JSON.readTree(line);
        if (event.path("formattedMessage").asText().startsWith("rejected ")) {
          rejected = event;
        }
      }
      assertThat(rejected).as("the log line of the rejected record").isNotNull();
      Received rejectedBatch = batchLinkedTo(receiver, traceId(invalidParent));
      assertThat(rejectedBatch).isNotNull();
      assertThat(rejected.path("mdc").path("trace_id").asText()).isEqualTo(rejectedBatch.traceId());
    }
  }

  /** The batch span with a link to {@code traceId}, or null until it has arrived. */
  private static Received batchLinkedTo(OtlpReceiver receiver, String traceId) {
    return receiver.spans().stream()
        .filter(s -> s.name().startsWith("process"))
        .filter(s -> s.linkedTraceIds().contains(traceId))
        .findFirst()
        .orElse(null);
  }

  private static List<String> childNames(OtlpReceiver receiver, Received parent) {
    List<String> names = new ArrayList<>();
    for (Received span : receiver.spans()) {
      if (span.traceId().equals(parent.traceId()) && span.parentSpanId().equals(parent.spanId())) {
        names.add(span.name().toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  private static String traceId(String traceparent) {
    return traceparent.split("-")[1];
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, Order order, String traceparent) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic, order.orderUid().getBytes(UTF_8), OrderCodec.standard().encode(order));
    record.headers().add(new RecordHeader("traceparent", traceparent.getBytes(UTF_8)));
    return record;
  }

  private Map<String, String> env(String topic, OtlpReceiver receiver) {
    return Map.of(
        "DB_DSN",
        TestStack.jdbcUrlWithOwnSchema("ingest_traces"),
        "KAFKA_BROKER",
        TestStack.kafkaBrokers(),
        "KAFKA_TOPIC",
        topic,
        "HTTP_ADDR",
        "127.0.0.1:0",
        "DATA_DIR",
        dataDir.toString(),
        "LOG_FORMAT",
        "json",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        receiver.endpoint(),
        "OTEL_BSP_SCHEDULE_DELAY",
        "100");
  }
}
