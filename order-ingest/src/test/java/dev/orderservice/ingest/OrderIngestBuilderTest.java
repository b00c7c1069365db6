package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.IngestPositions;
import dev.orderservice.domain.OrderService;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class OrderIngestBuilderTest {

  @Test
  void anIngestWithoutAServiceIsRefused() {
    assertThatThrownBy(() -> OrderIngest.builder().bootstrapServers("localhost:9092").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service is required");
  }

  @Test
  void anIngestWithoutBootstrapServersIsRefused() {
    OrderService service = new OrderService(new UnusedStore(), new MapOrderCache());

    assertThatThrownBy(() -> OrderIngest.builder().service(service).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bootstrap servers are required");
  }

  @Test
  void aBlankTopicIsRefused() {
    assertThatThrownBy(() -> OrderIngest.builder().topic(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic must not be blank");
    assertThatThrownBy(() -> OrderIngest.builder().deadLetterTopic(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deadLetterTopic must not be blank");
    assertThatThrownBy(() -> OrderIngest.builder().groupId(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("groupId must not be blank");
  }

  @Test
  void positionsNeedAGroupNameTheirTableHoldsAndAPositiveCheckInterval() {
    OrderService service = new OrderService(new UnusedStore(), new MapOrderCache());
    IngestPositions none =
        new IngestPositions() {
          @Override
          public Map<Integer, Long> read(
              String group, String topic, Collection<Integer> partitions) {
            return Map.of();
          }

          @Override
          public Map<Integer, Long> readAnyGroup(String topic, Collection<Integer> partitions) {
            return Map.of();
          }

          @Override
          public void record(String group, String topic, Map<Integer, Long> nextOffsets) {}

          @Override
          public boolean recordIfHeld(
              String group, String topic, Map<Integer, Long> held, Map<Integer, Long> next) {
            return true;
          }
        };
    OrderIngest.Builder builder =
        OrderIngest.builder().bootstrapServers("127.0.0.1:9").service(service).positions(none);

    assertThatThrownBy(() -> builder.groupId("g".repeat(256)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("groupId must be at most 255 characters to record positions");
    assertThat(builder.groupId("g".repeat(255)).build()).isNotNull();
    assertThatThrownBy(() -> builder.positionCheckInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("positionCheckInterval must be > 0");
    assertThatThrownBy(() -> builder.positions(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void deadLettersGoToTheTopicsOwnDeadLetterTopicUnlessOneIsSet() {
    OrderService service = new OrderService(new UnusedStore(), new MapOrderCache());
    OrderIngest.Builder builder =
        OrderIngest.builder().bootstrapServers("127.0.0.1:9").service(service).topic("crash");

    assertThat(builder.build().deadLetterTopic()).isEqualTo("crash.dlq");
    assertThat(
            OrderIngest.builder()
                .bootstrapServers("127.0.0.1:9")
                .service(service)
                .build()
                .deadLetterTopic())
        .isEqualTo("orders.dlq");
    assertThat(builder.deadLetterTopic("rejects").build().deadLetterTopic()).isEqualTo("rejects");
    assertThatThrownBy(() -> builder.deadLetterTopic("crash").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("deadLetterTopic must differ from topic");
  }

  @Test
  void aBlankInstanceIdOrANonPositiveSessionTimeoutIsRefused() {
    assertThatThrownBy(() -> OrderIngest.builder().groupInstanceId(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("groupInstanceId must not be blank");
    assertThatThrownBy(() -> OrderIngest.builder().sessionTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sessionTimeout must be > 0");
    assertThatThrownBy(() -> OrderIngest.builder().storeConnections(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("storeConnections must be 1..64, was 0");
  }

  @Test
  void aBatchSizeBelowOneIsRefusedWithTheValueGiven() {
    assertThatThrownBy(() -> OrderIngest.builder().maxBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchSize must be >= 1, was 0");
  }

  @Test
  void durationsMustBePositiveAndTheInitialBackoffNotAboveTheMaximum() {
    assertThatThrownBy(() -> OrderIngest.builder().pollTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollTimeout must be > 0");
    assertThatThrownBy(() -> OrderIngest.builder().closeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeTimeout must be > 0");
    assertThatThrownBy(
            () -> OrderIngest.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initial backoff must not exceed max backoff");
  }

  @Test
  void aMissingOpenTelemetryIsNamed() {
    assertThatThrownBy(() -> OrderIngest.builder().openTelemetry(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("openTelemetry");
  }

  @Test
  void aMissingServiceIsNamed() {
    assertThatThrownBy(() -> OrderIngest.builder().service(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("service");
  }

  @Test
  void anInstanceRunsOnceAndClosingItBeforeItRunsIsHarmless() {
    OrderIngest ingest =
        OrderIngest.builder()
            .bootstrapServers(TestBroker.bootstrapServers())
            .service(new OrderService(new UnusedStore(), new MapOrderCache()))
            .build();

    ingest.close();
    ingest.run(); // returns at once: closed before it could start consuming
    ingest.close();

    assertThat(ingest.isRunning()).isFalse();
    assertThatThrownBy(ingest::run)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an OrderIngest runs once; build a new one");
  }

  @Test
  void aSubSecondDeadLetterAckTimeoutIsHonouredNotRefusedByTheProducer() throws Exception {
    TestTopics names = TestTopics.create("acktimeout", 1);
    try (RunningTasks running = new RunningTasks()) {
      OrderIngest ingest =
          TestIngest.builder(names, new OrderService(new UnusedStore(), new MapOrderCache()))
              .deadLetterAckTimeout(Duration.ofMillis(500))
              .build();
      Future<?> run = running.start(ingest);

      TestBroker.produce(List.of(new ProducerRecord<>(names.topic(), "not json".getBytes(UTF_8))));

      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> run.isDone() || names.allCommitted());
      assertThat(run).isNotDone();
      assertThat(TestBroker.readAll(names.deadLetterTopic())).hasSize(1);
    }
  }
}
