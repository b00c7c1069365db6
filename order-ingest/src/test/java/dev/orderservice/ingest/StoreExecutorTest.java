package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.OrderService;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where an ingest stores its batches: on the caller's store executor, or on threads of its own. */
class StoreExecutorTest {

  private static final int ORDERS = 1_000;

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("storeexec");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void batchesAreStoredOnTheGivenExecutorsThreadsWhichOutliveTheIngest() throws Exception {
    TestTopics names = TestTopics.create("storeexec", 3);
    MixedStream.generate(names.topic(), ORDERS, 0, 11L).produce();
    SwitchableStore store = new SwitchableStore(schema.store());
    AtomicInteger threads = new AtomicInteger();
    ExecutorService callers =
        Executors.newFixedThreadPool(
            2, task -> new Thread(task, "caller-store-" + threads.incrementAndGet()));
    try {
      OrderIngest ingest =
          TestIngest.builder(names, new OrderService(store, new MapOrderCache()))
              .storeConnections(2)
              .storeExecutor(callers)
              .build();
      consumeAllThenClose(ingest, names);

      assertThat(schema.store().count()).isEqualTo(ORDERS);
      assertThat(Set.copyOf(store.storingThreads()))
          .as("both groups of each batch, the store's own and the other one, on the caller's pool")
          .containsExactlyInAnyOrder("caller-store-1", "caller-store-2");
      assertThat(callers.isShutdown())
          .as("the caller's executor is the caller's to stop")
          .isFalse();
      assertThat(callers.submit(() -> "still running").get(10, TimeUnit.SECONDS))
          .isEqualTo("still running");
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void withoutAnExecutorBatchesAreStoredOnThreadsOfTheIngestsOwnThatStopWithIt() {
    TestTopics names = TestTopics.create("storeown", 3);
    MixedStream.generate(names.topic(), ORDERS, 0, 13L).produce();
    SwitchableStore store = new SwitchableStore(schema.store());
    OrderIngest ingest =
        TestIngest.builder(names, new OrderService(store, new MapOrderCache()))
            .storeConnections(2)
            .build();
    consumeAllThenClose(ingest, names);

    Set<String> storing = Set.copyOf(store.storingThreads());
    assertThat(storing).hasSize(2).allMatch(name -> name.startsWith("order-ingest-store-"));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> liveThreadNames().stream().noneMatch(storing::contains));
  }

  /** Runs {@code ingest} until it has committed the whole topic, then closes it. */
  private void consumeAllThenClose(OrderIngest ingest, TestTopics names) {
    running.start(ingest);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);
    ingest.close();
  }

  private static Set<String> liveThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
