package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderService;
import dev.orderservice.persistence.PostgresIngestPositions;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka forgets where the group was (its offsets deleted or expired, the group renamed) or drops
 * records before they were stored (retention); the database's positions say where to go on.
 */
class LostGroupOffsetsTest {

  private static final int PARTITIONS = 3;
  private static final int BATCH = 500;

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;
  private OrderService service;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("offsets");
    service = new OrderService(schema.store(), new MapOrderCache());
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void withItsCommittedOffsetsDeletedTheGroupResumesFromTheDatabasesPositions() throws Exception {
    TestTopics names = TestTopics.create("lost-offsets", PARTITIONS);
    TopicOrders.produce(names.topic(), 1_500, 31L);
    ingestToTheEnd(names, names.group());
    try (Admin admin = admin()) {
      admin.deleteConsumerGroups(List.of(names.group())).all().get();
    }
    assertThat(TestBroker.committedOffsets(names.group())).isEmpty();
    TopicOrders.produce(names.topic(), 300, 32L);

    try (IngestLog log = IngestLog.capture()) {
      OrderIngest again = start(names, names.group());
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  names.allCommitted()
                      && schema.store().count() == 1_800
                      && finished(again) >= 300);

      // auto.offset.reset=earliest would have read all 1,800 again.
      assertThat(again.metrics().duplicates()).isLessThan(PARTITIONS * BATCH).isZero();
      assertThat(again.metrics().recordsConsumed()).isEqualTo(300);
      assertThat(log.messages(Level.INFO))
          .filteredOn(m -> m.contains("resuming from the database's position"))
          .hasSize(PARTITIONS)
          .allMatch(m -> m.endsWith("(group offset none)"));
    }
  }

  @Test
  void aRenamedGroupStartsWhereTheOldNameLeftOffInTheDatabase() throws Exception {
    TestTopics names = TestTopics.create("renamed", PARTITIONS);
    TopicOrders.produce(names.topic(), 1_500, 33L);
    ingestToTheEnd(names, names.group());
    TopicOrders.produce(names.topic(), 300, 34L);

    String renamed = names.group() + "-renamed";
    OrderIngest again = start(names, renamed);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                TestBroker.hasCommittedTheEnd(renamed, names.topic())
                    && schema.store().count() == 1_800
                    && finished(again) >= 300);

    assertThat(again.metrics().duplicates()).isLessThan(PARTITIONS * BATCH).isZero();
    assertThat(again.metrics().recordsConsumed()).isEqualTo(300);
  }

  @Test
  void recordsDeletedByRetentionBeforeTheyWereStoredAreLoggedAsAnErrorCountedAndSkipped()
      throws Exception {
    TestTopics names = TestTopics.create("retention", 2);
    List<Order> first = TopicOrders.produce(names.topic(), 0, 400, 41L);
    List<Order> second = TopicOrders.produce(names.topic(), 1, 100, 42L);
    // The database stored partition 0 up to offset 100; retention then deleted up to offset 300.
    new PostgresIngestPositions(schema.dataSource())
        .record(names.group(), names.topic(), Map.of(0, 100L));
    try (Admin admin = admin()) {
      admin
          .deleteRecords(
              Map.of(new TopicPartition(names.topic(), 0), RecordsToDelete.beforeOffset(300)))
          .all()
          .get();
    }

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (IngestLog log = IngestLog.capture()) {
      OrderIngest ingest =
          TestIngest.builder(names, service)
              .positions(new PostgresIngestPositions(schema.dataSource()))
              .meterRegistry(meters)
              .build();
      running.start(ingest);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> names.allCommitted() && schema.store().count() == 200);

      assertThat(ingest.metrics().recordsUnreadable()).isEqualTo(200);
      assertThat(meters.get("order.ingest.records.unreadable").functionCounter().count())
          .isEqualTo(200.0);
      assertThat(log.messages(Level.ERROR))
          .singleElement()
          .asString()
          .contains(names.topic() + "-0", "200 records can no longer be read", "offset 300");
    }
    first
        .subList(300, 400)
        .forEach(o -> assertThat(schema.store().findJson(o.orderUid())).isPresent());
    first
        .subList(100, 300)
        .forEach(o -> assertThat(schema.store().findJson(o.orderUid())).isEmpty());
    second.forEach(o -> assertThat(schema.store().findJson(o.orderUid())).isPresent());
  }

  /**
   * Orders whose batch is finished and counted (the counts follow the batch's commit at once;
   * duplicates are counted last).
   */
  private static long finished(OrderIngest ingest) {
    IngestMetrics metrics = ingest.metrics();
    return metrics.ordersInserted() + metrics.duplicates();
  }

  private void ingestToTheEnd(TestTopics names, String group) throws Exception {
    OrderIngest ingest = build(names, group);
    Future<?> run = running.start(ingest);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> TestBroker.hasCommittedTheEnd(group, names.topic()));
    ingest.close();
    run.get();
  }

  private OrderIngest start(TestTopics names, String group) {
    OrderIngest ingest = build(names, group);
    running.start(ingest);
    return ingest;
  }

  private OrderIngest build(TestTopics names, String group) {
    return TestIngest.builder(names, service)
        .groupId(group)
        .positions(new PostgresIngestPositions(schema.dataSource()))
        .build();
  }

  private static Admin admin() {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()));
  }
}
