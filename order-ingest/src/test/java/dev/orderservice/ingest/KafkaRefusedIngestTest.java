package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.OrderService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ingest's loop when Kafka refuses its consumer: it keeps running, reports each refusal, tries
 * again after a back-off, and says once that Kafka accepts it when the group is joined. (A real
 * SASL broker refusing a password is the end-to-end test of the secured-cluster tests.)
 */
class KafkaRefusedIngestTest {

  private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final AtomicBoolean closing = new AtomicBoolean();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  @Test
  void aRefusedConsumerIsReportedRetriedAndAcceptedOnceItJoinsItsGroup() throws Exception {
    Future<?> loop = consume();
    consumer.setPollException(
        new SaslAuthenticationException("Authentication failed: Invalid username or password"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> heard.contains("refused: Authentication failed: Invalid username or password"));
    consumer.schedulePollTask(
        () -> consumer.setPollException(new GroupAuthorizationException("Not authorized")));
    await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("refused: Not authorized"));
    assertThat(loop).as("a refusal does not end the ingest").isNotDone();

    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(PARTITION)));
    await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("accepted"));

    closing.set(true);
    consumer.wakeup();
    loop.get(10, TimeUnit.SECONDS);
    assertThat(heard).containsOnlyOnce("accepted").endsWith("accepted");
  }

  private Future<?> consume() {
    IngestListener listener =
        new IngestListener() {
          @Override
          public void kafkaRefused(KafkaRefusal refusal) {
            heard.add("refused: " + refusal.reason());
          }

          @Override
          public void kafkaAccepted() {
            heard.add("accepted");
          }
        };
    IngestSettings settings =
        IngestSettings.of(
            OrderIngest.builder()
                .bootstrapServers("unused:9092")
                .topic(PARTITION.topic())
                .service(new OrderService(new UnusedStore(), new MapOrderCache()))
                .pollTimeout(Duration.ofMillis(10))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .listener(listener));
    IngestCounters counters = new IngestCounters();
    // No positions: Kafka's committed offsets alone, as without PostgresIngestPositions.
    PositionKeeper positions =
        new PositionKeeper(
            null, consumer, "group", PARTITION.topic(), counters, Duration.ofSeconds(30));
    IngestPipeline pipeline =
        new IngestPipeline(
            settings,
            consumer,
            new DeadLetterPublisher(new MockProducer<>(), "orders.dlq", Duration.ofSeconds(1)),
            new StoreInFlight(settings.service(), threads, () -> {}),
            positions,
            counters,
            new KafkaRefusals(listener, settings.initialBackoff(), settings.maxBackoff()));
    consumer.subscribe(
        List.of(PARTITION.topic()),
        new PartitionHandOver(pipeline, positions, counters, closing::get));
    return threads.submit(() -> pipeline.consumeUntil(closing::get));
  }
}
