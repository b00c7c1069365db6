package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two ingests share a topic's partitions in one consumer group. */
class ConsumerGroupTest {

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("group");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void twoInstancesShareTheWorkAndWhenOneLeavesMidStreamEveryOrderIsStillStoredExactlyOnce()
      throws Exception {
    TestTopics names = TestTopics.create("group", 6);
    OrderService service = new OrderService(schema.store(), new MapOrderCache());
    OrderIngest leaving = TestIngest.builder(names, service).build();
    OrderIngest staying = TestIngest.builder(names, service).build();
    Future<?> leavingRun = running.start(leaving);
    Future<?> stayingRun = running.start(staying);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> TestBroker.describeGroup(names.group()).members().size() == 2);

    try (BackgroundProducer producer =
        BackgroundProducer.start(names.topic(), 6_000, 100, Duration.ofMillis(100), 5L)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  producer.acknowledged() >= 2_000
                      && leaving.metrics().ordersInserted() > 0
                      && staying.metrics().ordersInserted() > 0);
      leaving.close();
      leavingRun.get();
      assertThat(producer.isDone())
          .as("orders are still coming when one instance leaves")
          .isFalse();

      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> producer.isDone() && names.allCommitted());
      Map<String, Order> produced = producer.produced();
      assertThat(schema.store().count()).isEqualTo(6_000);
      produced.values().stream()
          .limit(500)
          .forEach(
              order ->
                  assertThat(schema.store().findJson(order.orderUid()))
                      .hasValue(OrderCodec.standard().encode(order)));
    }
    assertThat(stayingRun).isNotDone();
    assertThat(TestBroker.describeGroup(names.group()).members()).hasSize(1);
    assertThat(leaving.metrics().ordersInserted() + staying.metrics().ordersInserted())
        .as("every order inserted by one of them, none twice")
        .isEqualTo(6_000);
    assertThat(staying.metrics().rebalances())
        .as("the staying instance gave its partitions up")
        .isPositive();
    assertThat(leaving.metrics().rejected() + staying.metrics().rejected()).isZero();
    assertThat(TestBroker.readAll(names.deadLetterTopic()))
        .as("no valid order is dead-lettered")
        .isEmpty();
  }

  @Test
  void aCooperativeRebalanceDuringARetryMakesTheKeptPartitionsReadTheAbandonedBatchAgain() {
    TestTopics names = TestTopics.create("cooperative", 6);
    SwitchableStore store = new SwitchableStore(schema.store());
    OrderService service = new OrderService(store, new MapOrderCache());
    Map<String, Object> cooperative =
        Map.of(
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            CooperativeStickyAssignor.class.getName());
    List<Order> orders = produceOrders(names.topic(), 600, 6L);
    store.down();
    OrderIngest first =
        TestIngest.builder(names, service)
            .consumerProperties(cooperative)
            .maxBatchSize(1_000)
            .build();
    running.start(first);
    await().atMost(Duration.ofSeconds(30)).until(() -> first.metrics().retries() > 0);

    OrderIngest second = TestIngest.builder(names, service).consumerProperties(cooperative).build();
    running.start(second);
    await("the first instance gives some of its partitions to the second")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                first.metrics().rebalances() > 0
                    && TestBroker.describeGroup(names.group()).members().size() == 2);
    store.up();
    orders.addAll(produceOrders(names.topic(), 60, 7L));

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);
    assertThat(schema.store().count()).isEqualTo(660);
    orders.forEach(order -> assertThat(schema.store().findJson(order.orderUid())).isPresent());
  }

  private static List<Order> produceOrders(String topic, int count, long seed) {
    RandomOrders random = new RandomOrders(seed);
    List<Order> orders = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Order order = random.next();
      orders.add(order);
      records.add(
          new ProducerRecord<>(
              topic, order.orderUid().getBytes(UTF_8), OrderCodec.standard().encode(order)));
    }
    TestBroker.produce(records);
    return orders;
  }

  @Test
  void aStaticIdStillHeldOnTheConsumerProtocolIsWaitedForThenTheNewIngestConsumes()
      throws Exception {
    TestTopics names = TestTopics.create("group", 3);
    OrderService service = new OrderService(schema.store(), new MapOrderCache());
    OrderIngest holder =
        TestIngest.builder(names, service)
            .groupProtocol(GroupProtocol.CONSUMER)
            .groupInstanceId("one-id")
            .build();
    Future<?> holderRun = running.start(holder);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> TestBroker.describeGroup(names.group()).members().size() == 1);
    // The same id again while its holder is in the group: the broker refuses it
    // (UNRELEASED_INSTANCE_ID), which ends that consumer but not the ingest.
    OrderIngest waiting =
        TestIngest.builder(names, service)
            .groupProtocol(GroupProtocol.CONSUMER)
            .groupInstanceId("one-id")
            .build();
    Future<?> waitingRun = running.start(waiting);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !waitingRun.isDone());

    holder.close();
    holderRun.get();
    try (BackgroundProducer producer =
        BackgroundProducer.start(names.topic(), 300, 100, Duration.ofMillis(100), 7L)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> producer.isDone() && names.allCommitted());
    }
    assertThat(waiting.metrics().ordersInserted()).isEqualTo(300);
    assertThat(waitingRun.isDone()).isFalse();
  }
}
