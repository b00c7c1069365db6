package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.ingest.MixedStream.BadRecord;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One ingest reads a topic of valid orders mixed with bad records of every kind. */
class MixedStreamTest {

  private static final OrderCodec CODEC = OrderCodec.standard();

  private final RunningTasks running = new RunningTasks();
  private final MapOrderCache cache = new MapOrderCache();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("mixed");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void everyValidOrderIsStoredOnceAndEveryBadRecordIsDeadLetteredOnceAsItWasWithWhy() {
    TestTopics names = TestTopics.create("mixed", 3);
    MixedStream stream = MixedStream.generate(names.topic(), 5_000, 500, 1L);
    Map<SourcePosition, BadRecord> bad = stream.produce();
    OrderIngest ingest = TestIngest.builder(names, new OrderService(schema.store(), cache)).build();

    running.start(ingest);

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);
    assertStoredOnceByteForByte(stream.validOrders());
    assertThat(cache.size()).isEqualTo(5_000);

    List<DeadLetterCopy> deadLetters = DeadLetterCopy.readAll(names.deadLetterTopic());
    Map<SourcePosition, DeadLetterCopy> bySource =
        deadLetters.stream().collect(Collectors.toMap(DeadLetterCopy::source, Function.identity()));
    assertThat(deadLetters).hasSize(500);
    assertThat(bySource.keySet()).isEqualTo(bad.keySet());
    bad.forEach((source, record) -> bySource.get(source).assertCopies(record));

    IngestMetrics metrics = ingest.metrics();
    assertThat(metrics.recordsConsumed()).isEqualTo(5_500);
    assertThat(metrics.ordersInserted()).isEqualTo(5_000);
    assertThat(metrics.duplicates()).isZero();
    assertThat(metrics.rejectedByStage()).isEqualTo(stream.rejectedByStage());
    assertThat(metrics.deadLettered()).isEqualTo(500);
    assertThat(metrics.rebalances()).isZero();
  }

  private void assertStoredOnceByteForByte(Map<String, Order> orders) {
    assertThat(schema.store().count()).isEqualTo(orders.size());
    orders.forEach(
        (uid, order) -> {
          byte[] canonical = CODEC.encode(order);
          assertThat(schema.store().findJson(uid)).as("stored order %s", uid).hasValue(canonical);
          assertThat(cache.get(uid)).as("cached order %s", uid).hasValue(canonical);
        });
  }
}
