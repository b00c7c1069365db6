package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.persistence.PostgresIngestPositions;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database loses its last transactions while Kafka keeps the group's offsets: what a failover
 * to a standby that missed commits, or a restore from a backup, does. Here an earlier copy is made
 * by deleting the last orders of each partition and setting the positions back, in one transaction.
 */
class DatabaseBehindTest {

  private static final int PARTITIONS = 3;
  private static final int LOST_PER_PARTITION = 100;

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("behind");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void restartedOnAnEarlierCopyOfTheDatabaseTheIngestReadsAgainWhatItLacksAndStoresEachOrderOnce()
      throws Exception {
    TestTopics names = TestTopics.create("restore", PARTITIONS);
    List<Order> orders = TopicOrders.produce(names.topic(), 1_500, 51L);
    OrderIngest first = ingest(names, schema.store(), Duration.ofSeconds(30));
    Future<?> firstRun = running.start(first);
    awaitAllStored(names, 1_500);
    first.close();
    firstRun.get();

    int behind =
        TopicOrders.restoreEarlierCopy(
            schema.dataSource(), names.topic(), names.group(), LOST_PER_PARTITION);
    assertThat(schema.store().count()).isEqualTo(1_500 - behind);

    try (IngestLog log = IngestLog.capture()) {
      OrderIngest again = ingest(names, schema.store(), Duration.ofSeconds(30));
      running.start(again);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> finished(again) == behind);

      assertThat(schema.store().count()).isEqualTo(1_500);
      assertThat(again.metrics().ordersInserted()).isEqualTo(behind);
      assertThat(again.metrics().duplicates()).isZero();
      assertThat(again.metrics().recordsReadAgain()).isEqualTo(behind);
      assertThat(log.messages(Level.WARN))
          .filteredOn(m -> m.contains("the database is 100 records behind the group's committed"))
          .hasSize(PARTITIONS);
    }
    orders.forEach(o -> assertThat(schema.store().findJson(o.orderUid())).isPresent());
  }

  @Test
  void aRunningIngestFindsTheDatabaseBehindAtItsNextPeriodicCheckAndReadsTheDifferenceAgain()
      throws Exception {
    TestTopics names = TestTopics.create("behind-running", PARTITIONS);
    OrderIngest ingest = ingest(names, schema.store(), Duration.ofSeconds(1));
    running.start(ingest);
    List<Order> orders = TopicOrders.produce(names.topic(), 1_500, 52L);
    awaitAllStored(names, 1_500);

    try (IngestLog log = IngestLog.capture()) {
      int behind =
          TopicOrders.restoreEarlierCopy(
              schema.dataSource(), names.topic(), names.group(), LOST_PER_PARTITION);
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  ingest.metrics().recordsReadAgain() == behind
                      && finished(ingest) == 1_500 + behind);

      assertThat(schema.store().count()).isEqualTo(1_500);
      assertThat(ingest.metrics().ordersInserted()).isEqualTo(1_500 + behind);
      assertThat(ingest.metrics().duplicates()).isZero();
      assertThat(log.messages(Level.WARN))
          .filteredOn(m -> m.contains("the database is 100 records behind what this ingest stored"))
          .hasSize(PARTITIONS);
    }
    orders.forEach(o -> assertThat(schema.store().findJson(o.orderUid())).isPresent());
  }

  @Test
  void aBatchStoredInADatabaseThatLostTransactionsDoesNotHideTheGapBehindNewerPositions()
      throws Exception {
    TestTopics names = TestTopics.create("behind-hidden", PARTITIONS);
    // No periodic check and no failure within the test: only the recording of the next batch.
    OrderIngest ingest = ingest(names, schema.store(), Duration.ofMinutes(10));
    running.start(ingest);
    List<Order> orders = new ArrayList<>(TopicOrders.produce(names.topic(), 1_500, 55L));
    awaitAllStored(names, 1_500);

    int behind =
        TopicOrders.restoreEarlierCopy(
            schema.dataSource(), names.topic(), names.group(), LOST_PER_PARTITION);
    orders.addAll(TopicOrders.produce(names.topic(), 300, 56L));

    awaitAllStored(names, 1_800);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> finished(ingest) >= 1_800 + behind);
    assertThat(ingest.metrics().recordsReadAgain()).isEqualTo(behind);
    // The batch whose positions could not be recorded was stored, and is read again: DUPLICATEs.
    IngestMetrics metrics = ingest.metrics();
    assertThat(metrics.duplicates()).isLessThan(500);
    assertThat(metrics.ordersInserted()).isEqualTo(1_800 + behind - metrics.duplicates());
    orders.forEach(o -> assertThat(schema.store().findJson(o.orderUid())).isPresent());
  }

  @Test
  void whenTheDatabaseAnswersAgainAfterAnOutageTheIngestChecksItsPositionsBeforeStoringOn()
      throws Exception {
    TestTopics names = TestTopics.create("behind-outage", PARTITIONS);
    SwitchableStore store = new SwitchableStore(schema.store());
    // No periodic check within the test: only the recovery from the outage looks.
    OrderIngest ingest = ingest(names, store, Duration.ofMinutes(10));
    running.start(ingest);
    List<Order> orders = new ArrayList<>(TopicOrders.produce(names.topic(), 1_500, 53L));
    awaitAllStored(names, 1_500);

    store.down();
    int behind =
        TopicOrders.restoreEarlierCopy(
            schema.dataSource(), names.topic(), names.group(), LOST_PER_PARTITION);
    orders.addAll(TopicOrders.produce(names.topic(), 300, 54L));
    await().atMost(Duration.ofSeconds(20)).until(() -> ingest.metrics().retries() > 0);
    store.up();

    awaitAllStored(names, 1_800);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> finished(ingest) >= 1_800 + behind);
    assertThat(ingest.metrics().recordsReadAgain()).isEqualTo(behind);
    // Every order is stored once (the count above); the batch in hand when the database was found
    // behind is read again, and may come back as DUPLICATEs, never more than one batch.
    IngestMetrics metrics = ingest.metrics();
    assertThat(metrics.duplicates()).isLessThan(500);
    assertThat(metrics.ordersInserted()).isEqualTo(1_800 + behind - metrics.duplicates());
    orders.forEach(o -> assertThat(schema.store().findJson(o.orderUid())).isPresent());
  }

  /**
   * Orders whose batch is finished and counted (the counts follow the batch's commit at once;
   * duplicates are counted last).
   */
  private static long finished(OrderIngest ingest) {
    IngestMetrics metrics = ingest.metrics();
    return metrics.ordersInserted() + metrics.duplicates();
  }

  private void awaitAllStored(TestTopics names, int count) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> names.allCommitted() && schema.store().count() == count);
  }

  private OrderIngest ingest(TestTopics names, OrderStore store, Duration checkEvery) {
    return TestIngest.builder(names, new OrderService(store, new MapOrderCache()))
        .positions(new PostgresIngestPositions(schema.dataSource()))
        .positionCheckInterval(checkEvery)
        .build();
  }
}
