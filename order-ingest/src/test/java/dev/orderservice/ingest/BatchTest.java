package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderCopies;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A batch split into uid groups that are stored at once (one store call per group). */
class BatchTest {

  private static final OrderCodec CODEC = OrderCodec.standard();

  private final RandomOrders random = new RandomOrders(20_261_130L);
  private final MemoryStore store = new MemoryStore();
  private final OrderService service = new OrderService(store, new MapOrderCache());
  private final ExecutorService lanes = Executors.newFixedThreadPool(3);

  @AfterEach
  void stopLanes() {
    lanes.shutdownNow();
  }

  @Test
  void everyGroupIsStoredInOneCallAndEveryOrderOnce() {
    List<Order> orders = orders(400);
    Batch batch = batch(orders.stream().map(CODEC::encode).toList());

    batch.check(service, 4); // 100 a group at least: 4 groups
    batch.store(service, lanes);

    assertThat(batch.isStored()).isTrue();
    assertThat(batch.inserted()).isEqualTo(400);
    assertThat(store.saveAllCalls.get()).isEqualTo(4);
    assertThat(store.rows).hasSize(400);
    assertThat(batch.deadLetters()).isEmpty();
  }

  @Test
  void eachGroupIsStoredInAStoreSpanOfItsOwnUnderTheBatchSpanWithItsOutcome() {
    List<byte[]> values = new ArrayList<>(orders(300).stream().map(CODEC::encode).toList());
    values.add("{not json".getBytes(UTF_8));
    try (TestTracing tracing = new TestTracing()) {
      BatchTrace trace =
          IngestTracing.of(tracing.openTelemetry(), "orders", "group", "orders.dlq").startBatch();
      Batch batch = new Batch(records(values), 0, trace);

      batch.check(service, 2);
      batch.store(service, lanes);
      trace.end();

      SpanData span = tracing.named(IngestTracing.BATCH).get(0);
      assertThat(span.getAttributes().get(IngestTracing.MESSAGE_COUNT)).isEqualTo(301);
      assertThat(span.getAttributes().get(IngestTracing.PARTITION)).isEqualTo("0");
      assertThat(span.getAttributes().get(IngestTracing.INSERTED)).isEqualTo(300);
      assertThat(span.getAttributes().get(IngestTracing.REJECTED)).isEqualTo(1);
      List<SpanData> stores = tracing.named(IngestTracing.STORE);
      assertThat(stores)
          .hasSize(2)
          .allMatch(s -> s.getParentSpanContext().equals(span.getSpanContext()));
      assertThat(stores.stream().mapToLong(s -> s.getAttributes().get(IngestTracing.ORDERS)).sum())
          .isEqualTo(300);
      assertThat(
              stores.stream().mapToLong(s -> s.getAttributes().get(IngestTracing.INSERTED)).sum())
          .isEqualTo(300);
      SpanData check = tracing.named(IngestTracing.CHECK).get(0);
      assertThat(check.getParentSpanContext()).isEqualTo(span.getSpanContext());
      assertThat(check.getAttributes().get(IngestTracing.ORDERS)).isEqualTo(301);
      assertThat(check.getAttributes().get(IngestTracing.REJECTED)).isEqualTo(1);
    }
  }

  @Test
  void ordersWithOneUidStayInOrderSoTheFirstWinsAndTheOthersAreDuplicatesOrConflicts() {
    List<Order> orders = orders(50);
    Order first = orders.get(10);
    Order changed = OrderCopies.withAmount(first, first.payment().amount() + 1);
    List<byte[]> values = new ArrayList<>(orders.stream().map(CODEC::encode).toList());
    values.add(CODEC.encode(changed)); // offset 50
    values.add(CODEC.encode(first)); // offset 51
    values.add("{not json".getBytes(UTF_8)); // offset 52
    Batch batch = batch(values);

    batch.check(service, 3);
    batch.store(service, lanes);

    assertThat(store.rows.get(first.orderUid())).isEqualTo(CODEC.encode(first));
    assertThat(batch.inserted()).isEqualTo(50);
    assertThat(batch.duplicates()).isEqualTo(1);
    assertThat(batch.deadLetters())
        .extracting(d -> d.source().offset(), DeadLetter::stage)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(52L, RejectionStage.VALUE_CONVERTER),
            org.assertj.core.groups.Tuple.tuple(50L, RejectionStage.TASK_PUT));
  }

  @Test
  void aGroupThatFailsTransientlyIsStoredAgainAloneAndTheOthersAreNotStoredTwice() {
    List<Order> orders = orders(300);
    store.failNextCalls.set(1);
    Batch batch = batch(orders.stream().map(CODEC::encode).toList());
    batch.check(service, 3);

    assertThatThrownBy(() -> batch.store(service, lanes)).isInstanceOf(OrderStoreException.class);
    assertThat(batch.isStored()).isFalse();
    int callsAfterFailure = store.saveAllCalls.get();
    batch.store(service, lanes);

    assertThat(batch.isStored()).isTrue();
    assertThat(store.saveAllCalls.get() - callsAfterFailure).as("only the failed group").isOne();
    assertThat(store.rows).hasSize(300);
    assertThat(batch.inserted()).isEqualTo(300);
    assertThat(batch.duplicates()).isZero();
  }

  @Test
  void recordsAppendedBeforeTheStoreAreStoredWithItInOrderAndAfterItsSealNoneAreTaken() {
    List<Order> orders = orders(60);
    Order first = orders.get(5);
    Order changed = OrderCopies.withAmount(first, first.payment().amount() + 1);
    List<byte[]> values = new ArrayList<>(orders.stream().map(CODEC::encode).toList());
    values.add("{not json".getBytes(UTF_8)); // offset 60, in the first part
    values.add(CODEC.encode(changed)); // offset 61, appended: the first version wins
    values.add("[]".getBytes(UTF_8)); // offset 62, appended
    List<ConsumerRecord<byte[], byte[]>> records = records(values);
    Batch batch = new Batch(records.subList(0, 40), 0, BatchTrace.OFF);
    batch.check(service, 3);
    batch.append(records.subList(40, 61), service);
    batch.append(records.subList(61, 63), service);

    batch.seal();
    assertThatThrownBy(() -> batch.append(records.subList(0, 1), service))
        .isInstanceOf(IllegalStateException.class);
    batch.store(service, lanes);

    assertThat(batch.size()).isEqualTo(63);
    assertThat(batch.inserted()).isEqualTo(60);
    assertThat(store.rows).hasSize(60);
    assertThat(store.rows.get(first.orderUid())).isEqualTo(CODEC.encode(first));
    assertThat(store.saveAllCalls.get())
        .as("60 orders: one group, the appended records included")
        .isOne();
    assertThat(batch.deadLetters())
        .extracting(d -> d.source().offset(), DeadLetter::stage)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(60L, RejectionStage.VALUE_CONVERTER),
            org.assertj.core.groups.Tuple.tuple(62L, RejectionStage.VALUE_CONVERTER),
            org.assertj.core.groups.Tuple.tuple(61L, RejectionStage.TASK_PUT));
    assertThat(batch.nextOffsets().values()).extracting(o -> o.offset()).containsExactly(63L);
  }

  @Test
  void aSmallBatchIsStoredInOneTransactionAGroupHoldsAtLeastTheMinimum() {
    Batch small = batch(orders(2 * Batch.MIN_GROUP_SIZE - 1).stream().map(CODEC::encode).toList());
    small.check(service, 4);
    small.store(service, lanes);
    assertThat(store.saveAllCalls.get()).isOne();

    Batch larger = batch(orders(3 * Batch.MIN_GROUP_SIZE).stream().map(CODEC::encode).toList());
    larger.check(service, 4);
    larger.store(service, lanes);
    assertThat(store.saveAllCalls.get() - 1).isEqualTo(3);
    assertThat(store.rows).hasSize(5 * Batch.MIN_GROUP_SIZE - 1);
  }

  @Test
  void aWaitingBatchIsGatheredWhileSmallAndGrowsUpToItsLimitUntilSealed() {
    Batch batch = batch(orders(Batch.GATHER_UP_TO - 1).stream().map(CODEC::encode).toList());
    batch.check(service, 2);
    assertThat(batch.isGathering(1_000)).isTrue();
    assertThat(batch.isGathering(Batch.GATHER_UP_TO - 1)).as("at its limit").isFalse();

    batch.append(records(List.of(CODEC.encode(random.next()))), service);
    assertThat(batch.isGathering(1_000)).as("big enough to store efficiently").isFalse();
    assertThat(batch.canGrow(1_000)).isTrue();

    batch.seal();
    assertThat(batch.canGrow(1_000)).isFalse();
  }

  private List<Order> orders(int n) {
    List<Order> orders = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      orders.add(random.next());
    }
    return orders;
  }

  private static Batch batch(List<byte[]> values) {
    return new Batch(records(values), 0, BatchTrace.OFF);
  }

  private static List<ConsumerRecord<byte[], byte[]>> records(List<byte[]> values) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      records.add(new ConsumerRecord<>("orders", 0, i, null, values.get(i)));
    }
    return records;
  }

  /** Idempotent like the real store; counts calls; can fail the next calls transiently. */
  private static final class MemoryStore implements OrderStore {
    final Map<String, byte[]> rows = new ConcurrentHashMap<>();
    final AtomicInteger saveAllCalls = new AtomicInteger();
    final AtomicInteger failNextCalls = new AtomicInteger();

    @Override
    public synchronized List<SaveResult> saveAll(List<EncodedOrder> batch) {
      saveAllCalls.incrementAndGet();
      if (failNextCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new OrderStoreException("database restarting", true, null);
      }
      Map<String, byte[]> mine = new HashMap<>();
      List<SaveResult> results = new ArrayList<>();
      for (EncodedOrder order : batch) {
        byte[] stored =
            rows.containsKey(order.orderUid())
                ? rows.get(order.orderUid())
                : mine.get(order.orderUid());
        if (stored == null) {
          mine.put(order.orderUid(), order.json());
          results.add(new SaveResult(order.orderUid(), SaveOutcome.INSERTED));
        } else {
          results.add(
              new SaveResult(
                  order.orderUid(),
                  Arrays.equals(stored, order.json())
                      ? SaveOutcome.DUPLICATE
                      : SaveOutcome.CONFLICT));
        }
      }
      rows.putAll(mine);
      return results;
    }

    @Override
    public Optional<byte[]> findJson(String orderUid) {
      return Optional.ofNullable(rows.get(orderUid));
    }
  }
}
