package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.ingest.MixedStream.BadRecord;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An ingest that dies between the database commit of a batch and its offset commit. */
class CrashRecoveryTest {

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("crash");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void aCrashAfterTheDatabaseCommitLosesNothingAndTheNextInstanceStoresNothingTwice()
      throws Exception {
    TestTopics names = TestTopics.create("crash", 3);
    MixedStream stream = MixedStream.generate(names.topic(), 2_000, 200, 3L);
    Map<SourcePosition, BadRecord> bad = stream.produce();
    OrderService service = new OrderService(schema.store(), new MapOrderCache());
    RuntimeException crash = new IllegalStateException("crash after the third batch was stored");
    AtomicInteger batchesStored = new AtomicInteger();
    AtomicLong storedAtCrash = new AtomicLong();
    OrderIngest crashing =
        TestIngest.builder(names, service)
            .maxBatchSize(200)
            .afterStore(
                () -> {
                  if (batchesStored.incrementAndGet() == 3) {
                    storedAtCrash.set(schema.store().count());
                    throw crash;
                  }
                })
            .build();

    Throwable ended = catchThrowable(() -> running.start(crashing).get(60, TimeUnit.SECONDS));

    assertThat(ended).isInstanceOf(ExecutionException.class).cause().isSameAs(crash);
    assertThat(crashing.isRunning()).isFalse();
    assertThat(storedAtCrash.get())
        .as("the third batch was in the database when the ingest died")
        .isGreaterThan(crashing.metrics().ordersInserted());
    long committedRecords =
        TestBroker.committedOffsets(names.group()).values().stream()
            .mapToLong(Long::longValue)
            .sum();
    // Settled batches are committed together, 100 ms after the oldest settled (SettledOffsets):
    // the two finished ones may or may not have been committed before the third crashed, but
    // the crashed one never is, and what is counted is exactly what is committed.
    assertThat(crashing.metrics().batches()).isBetween(0L, 2L);
    assertThat(committedRecords)
        .as("committed: the finished batches that were flushed, never the crashed one")
        .isEqualTo(crashing.metrics().recordsConsumed());

    OrderIngest next = TestIngest.builder(names, service).build();
    Future<?> nextRun = running.start(next);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);

    assertThat(nextRun).isNotDone();
    assertThat(schema.store().count()).isEqualTo(2_000);
    stream
        .validOrders()
        .forEach(
            (uid, order) ->
                assertThat(schema.store().findJson(uid))
                    .hasValue(OrderCodec.standard().encode(order)));
    assertThat(next.metrics().duplicates())
        .as("the crashed batch's orders come again and are absorbed as duplicates")
        .isPositive();
    Set<SourcePosition> deadLettered =
        DeadLetterCopy.readAll(names.deadLetterTopic()).stream()
            .map(DeadLetterCopy::source)
            .collect(Collectors.toSet());
    assertThat(deadLettered).as("every bad record, and only those").isEqualTo(bad.keySet());
  }
}
