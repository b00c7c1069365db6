package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.OrderService;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An ingest that starts far behind its group stores a small first batch, so that it commits soon
 * after it starts (a cold JVM stores a full batch in seconds), then doubles the batch until it
 * reaches the most a batch may hold.
 */
class BatchGrowthTest {

  private static final int BACKLOG = 12_000;
  private static final int MAX_BATCH = 5_000;

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("growth");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void aBacklogIsStoredInBatchesThatStartSmallAndDoubleUpToTheLargest() {
    TestTopics names = TestTopics.create("growth", 3);
    MixedStream.generate(names.topic(), BACKLOG, 0, 7L).produce();
    SwitchableStore store = new SwitchableStore(schema.store());
    OrderIngest ingest =
        TestIngest.builder(names, new OrderService(store, new MapOrderCache()))
            .maxBatchSize(MAX_BATCH)
            .storeConnections(1)
            .build();

    running.start(ingest);

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);
    List<Integer> sizes = store.batchSizes();
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(BACKLOG);
    for (int i = 0; i < sizes.size(); i++) {
      long bound = Math.min(MAX_BATCH, (long) BatchRamp.FIRST_BATCH_SIZE << Math.min(i, 20));
      assertThat(sizes.get(i)).as("batch %d of %s", i + 1, sizes).isLessThanOrEqualTo((int) bound);
    }
    assertThat(sizes)
        .as("later batches grow past the first one's bound")
        .anyMatch(size -> size > 2 * BatchRamp.FIRST_BATCH_SIZE);
    assertThat(schema.store().count()).isEqualTo(BACKLOG);
    assertThat(ingest.metrics().recordsConsumed()).isEqualTo(BACKLOG);
  }
}
