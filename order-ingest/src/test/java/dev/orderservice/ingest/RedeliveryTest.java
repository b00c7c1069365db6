package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.ingest.MixedStream.BadRecord;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A topic read a second time by its group, as after an offset reset or a lost commit. */
class RedeliveryTest {

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("redelivery");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void readingEverythingAgainStoresNothingNewAndDeadLettersOnlyTheRecordsThatAreRejectedAgain()
      throws Exception {
    TestTopics names = TestTopics.create("redelivery", 3);
    MixedStream stream = MixedStream.generate(names.topic(), 1_000, 100, 2L);
    Map<SourcePosition, BadRecord> bad = stream.produce();
    OrderService service = new OrderService(schema.store(), new MapOrderCache());
    OrderIngest first = TestIngest.builder(names, service).build();
    Future<?> firstRun = running.start(first);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);
    first.close();
    firstRun.get();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> TestBroker.describeGroup(names.group()).members().isEmpty());

    TestBroker.rewindToBeginning(names.group(), names.topic());
    OrderIngest second = TestIngest.builder(names, service).build();
    running.start(second);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);

    assertThat(schema.store().count()).isEqualTo(1_000);
    stream
        .validOrders()
        .forEach(
            (uid, order) ->
                assertThat(schema.store().findJson(uid))
                    .hasValue(OrderCodec.standard().encode(order)));
    IngestMetrics again = second.metrics();
    assertThat(again.recordsConsumed()).isEqualTo(1_100);
    assertThat(again.ordersInserted()).isZero();
    assertThat(again.duplicates()).isEqualTo(1_000);
    assertThat(again.rejectedByStage()).isEqualTo(stream.rejectedByStage());
    assertThat(again.deadLettered()).isEqualTo(100);

    // Each rejected record has one copy per reading; no valid order, duplicate or not, has any.
    List<DeadLetterCopy> deadLetters = DeadLetterCopy.readAll(names.deadLetterTopic());
    assertThat(deadLetters).hasSize(200);
    Map<SourcePosition, Long> copies =
        deadLetters.stream()
            .collect(Collectors.groupingBy(DeadLetterCopy::source, Collectors.counting()));
    assertThat(copies.keySet()).isEqualTo(bad.keySet());
    assertThat(copies.values()).containsOnly(2L);
    Map<SourcePosition, DeadLetterCopy> secondCopies =
        deadLetters.subList(100, 200).stream()
            .collect(Collectors.toMap(DeadLetterCopy::source, Function.identity()));
    bad.forEach((source, record) -> secondCopies.get(source).assertCopies(record));
  }
}
