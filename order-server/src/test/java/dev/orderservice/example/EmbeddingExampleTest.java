package dev.orderservice.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderLookup;
import dev.orderservice.persistence.PostgresDsn;
import dev.orderservice.testsupport.SharedDatabase;
import dev.orderservice.testsupport.TestBroker;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class EmbeddingExampleTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Path EXAMPLE =
      Path.of("src", "test", "java", "dev", "orderservice", "example", "EmbeddingExample.java");

  @Test
  void theExampleConsumesAnOrderFromKafkaAndFindsItAndItsMetersAndSpansAreTheAppsOwn()
      throws Exception {
    byte[] sample = Files.readAllBytes(Path.of("..", "samples", "order.json"));
    String jdbcUrl = new SharedDatabase("embedding_example", PostgresDsn::toJdbcUrl).jdbcUrl();
    String kafka = TestBroker.bootstrapServers();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk telemetry = appsOwnOpenTelemetry(spans);
        EmbeddingExample example =
            new EmbeddingExample(jdbcUrl, kafka, executor, meters, telemetry)) {
      produce(kafka, sample);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> example.find("b563feb7b2b84b6test").isPresent());
      DecodeResult decoded = OrderCodec.standard().decode(sample);
      byte[] canonical = OrderCodec.standard().encode(((DecodeResult.Decoded) decoded).order());
      assertThat(example.find("b563feb7b2b84b6test")).hasValue(canonical);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          meters
                              .get("order.ingest.records")
                              .tag("topic", "orders")
                              .functionCounter()
                              .count())
                      .isGreaterThanOrEqualTo(1));
      assertThat(meters.get("order.ingest.orders").tag("outcome", "inserted").functionCounters())
          .isNotEmpty();
      assertThat(meters.get("order.ingest.batch.duration").timer().count())
          .isGreaterThanOrEqualTo(1);
      assertThat(meters.get("kafka.consumer.fetch.manager.records.lag.max").gauges()).isNotEmpty();
      assertThat(
              meters
                  .get("cache.gets")
                  .tag("cache", "orders")
                  .tag("result", "hit")
                  .functionCounter()
                  .count())
          .isGreaterThanOrEqualTo(1);
      assertThat(meters.get("cache.size").tag("cache", "orders").gauge().value())
          .isGreaterThanOrEqualTo(1);
      assertThat(meters.get("hikaricp.connections.max").tag("pool", "my-app").gauge().value())
          .isEqualTo(4);
      assertThat(Metrics.globalRegistry.getMeters()).as("no global registry touched").isEmpty();

      assertThat(example.find("no-such-order")).isEmpty();
      assertThat(spans.getFinishedSpanItems())
          .as("the lookup's read of a miss, in the application's own OpenTelemetry")
          .anySatisfy(span -> assertThat(span.getName()).isEqualTo(OrderLookup.READ_SPAN));
    } finally {
      executor.shutdownNow();
    }
  }

  /** An application's OpenTelemetry that keeps its spans in memory, for the test to read. */
  private static OpenTelemetrySdk appsOwnOpenTelemetry(InMemorySpanExporter spans) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
  }

  @Test
  void theReadmeShowsExactlyTheCodeThatRuns() throws IOException {
    String readme = Files.readString(README, UTF_8);
    String source = Files.readString(EXAMPLE, UTF_8);

    for (String marker : List.of("README:start", "README:find", "README:close")) {
      String snippet = snippet(source, marker);
      assertThat(snippet).isNotBlank();
      assertThat(readme)
          .as("README.md must show the example's %s block verbatim", marker)
          .contains(snippet);
    }
  }

  /** The lines between {@code // marker} and the next {@code // README:} line, dedented. */
  private static String snippet(String source, String marker) {
    List<String> lines = source.lines().collect(Collectors.toList());
    int from = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("// " + marker)) {
        from = i + 1;
        break;
      }
    }
    assertThat(from).as("marker %s in %s", marker, EXAMPLE).isPositive();
    int to = from;
    while (!lines.get(to).strip().startsWith("// README:")) {
      to++;
    }
    List<String> block = lines.subList(from, to);
    int indent =
        block.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return block.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent))
        .collect(Collectors.joining("\n"));
  }

  private static void produce(String kafka, byte[] value) throws Exception {
    Map<String, Object> config =
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>("orders", "b563feb7b2b84b6test".getBytes(UTF_8), value))
          .get();
    }
  }
}
