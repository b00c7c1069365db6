package dev.orderservice.persistence;

import static dev.orderservice.domain.OrderCopies.withAmount;
import static dev.orderservice.domain.OrderCopies.withItems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

class PostgresOrderStoreTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final List<String> TABLES = List.of("orders", "delivery", "payment", "items");

  private static TestSchema schema;
  private static PostgresOrderStore store;
  private static PostgresOrderSearch search;

  private final RandomOrders random = new RandomOrders(20_240_601L);

  @BeforeAll
  static void migrate() {
    schema = TestSchema.migrated("store");
    store = new PostgresOrderStore(schema.dataSource());
    search = new PostgresOrderSearch(schema.dataSource());
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @BeforeEach
  void emptyTheStore() {
    schema.execute("truncate orders, delivery, payment, items");
  }

  @Test
  void everyStoredOrderKeepsASummaryThatAgreesWithItsPaymentAndItems() {
    List<EncodedOrder> orders = randomOrders(1_000);
    for (int from = 0; from < orders.size(); from += 250) {
      List<EncodedOrder> batch = new ArrayList<>(orders.subList(from, from + 250));
      batch.add(orders.get(from)); // a duplicate within the batch writes nothing twice
      store.saveAll(batch);
    }

    assertThat(schema.rows("orders")).isEqualTo(1_000);
    assertThat(schema.summaryMismatches()).isEmpty();
    assertThat(orders.stream().mapToInt(o -> o.order().items().size()).distinct().count())
        .as("orders with different numbers of items")
        .isGreaterThan(1);
  }

  @Test
  void aThousandRandomOrdersReadBackByteForByteOneByOneAndAsAStream() {
    List<EncodedOrder> orders = randomOrders(1_000);

    for (int from = 0; from < orders.size(); from += 250) {
      List<SaveResult> results = store.saveAll(orders.subList(from, from + 250));
      assertThat(results).extracting(SaveResult::outcome).containsOnly(SaveOutcome.INSERTED);
    }

    for (EncodedOrder order : orders) {
      assertThat(store.findJson(order.orderUid()))
          .hasValueSatisfying(json -> assertThat(json).isEqualTo(order.json()));
    }
    Map<String, byte[]> streamed = new LinkedHashMap<>();
    long fed = store.streamAll(o -> streamed.put(o.orderUid(), o.json()));
    assertThat(fed).isEqualTo(1_000);
    assertThat(streamed.keySet())
        .containsExactlyElementsOf(orders.stream().map(EncodedOrder::orderUid).toList());
    for (EncodedOrder order : orders) {
      assertThat(streamed.get(order.orderUid())).isEqualTo(order.json());
    }
    assertThat(store.count()).isEqualTo(1_000);
    List<OrderSummary> newestFirst = new ArrayList<>();
    for (int i = orders.size() - 1; i >= 0; i--) { // ties in date_created: the later stored first
      newestFirst.add(OrderSummary.of(orders.get(i).order()));
    }
    newestFirst.sort(
        Comparator.comparing((OrderSummary s) -> OrderDates.instant(s.dateCreated())).reversed());
    assertThat(search.search(OrderQuery.newest(5)).orders())
        .containsExactlyElementsOf(newestFirst.subList(0, 5));
  }

  @Test
  void replayingABatchStoresNothingNewAndReportsEveryOrderAsDuplicate() {
    List<EncodedOrder> batch = randomOrders(100);
    store.saveAll(batch);
    Map<String, Long> rowsBefore = rowCounts();

    List<SaveResult> replay = store.saveAll(batch);

    assertThat(replay)
        .extracting(SaveResult::orderUid)
        .containsExactlyElementsOf(batch.stream().map(EncodedOrder::orderUid).toList());
    assertThat(replay).extracting(SaveResult::outcome).containsOnly(SaveOutcome.DUPLICATE);
    assertThat(rowCounts()).isEqualTo(rowsBefore);
  }

  @Test
  void writersRacingWithTheSameOrdersInsertEachOnceAndSeeTheRestAsDuplicates() throws Exception {
    List<EncodedOrder> orders = randomOrders(2_000);
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<List<SaveResult>>> runs = new ArrayList<>();
    try {
      for (int w = 0; w < writers; w++) {
        List<EncodedOrder> mine = new ArrayList<>(orders);
        Collections.shuffle(mine, new Random(w));
        runs.add(
            pool.submit(
                () -> {
                  List<SaveResult> results = new ArrayList<>();
                  for (int from = 0; from < mine.size(); from += 250) {
                    results.addAll(store.saveAll(mine.subList(from, from + 250)));
                  }
                  return results;
                }));
      }
      Map<SaveOutcome, Long> outcomes = new EnumMap<>(SaveOutcome.class);
      Map<String, Long> insertedPerUid = new HashMap<>();
      for (Future<List<SaveResult>> run : runs) {
        for (SaveResult result : run.get(2, TimeUnit.MINUTES)) {
          outcomes.merge(result.outcome(), 1L, Long::sum);
          if (result.outcome() == SaveOutcome.INSERTED) {
            insertedPerUid.merge(result.orderUid(), 1L, Long::sum);
          }
        }
      }

      assertThat(outcomes)
          .containsOnly(
              Map.entry(SaveOutcome.INSERTED, 2_000L), Map.entry(SaveOutcome.DUPLICATE, 6_000L));
      assertThat(insertedPerUid).hasSize(2_000).allSatisfy((uid, n) -> assertThat(n).isOne());
      assertThat(store.count()).isEqualTo(2_000);
      for (EncodedOrder order : orders) {
        assertThat(store.findJson(order.orderUid())).hasValue(order.json());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aChangedPayloadUnderAStoredUidIsAConflictAndLeavesTheStoredOrderUntouched() {
    EncodedOrder original = CODEC.encoded(random.next());
    store.saveAll(List.of(original));
    EncodedOrder changed =
        CODEC.encoded(withAmount(original.order(), original.order().payment().amount() + 1));

    List<SaveResult> results = store.saveAll(List.of(changed));

    assertThat(results).containsExactly(new SaveResult(original.orderUid(), SaveOutcome.CONFLICT));
    assertThat(store.findJson(original.orderUid()))
        .hasValueSatisfying(json -> assertThat(json).isEqualTo(original.json()));
  }

  @Test
  void theSameUidTwiceInOneBatchIsInsertedOnceAndLaterCopiesAreComparedWithTheFirst() {
    EncodedOrder first = CODEC.encoded(random.next());
    EncodedOrder other = CODEC.encoded(random.next());
    EncodedOrder changed = CODEC.encoded(withAmount(first.order(), 1));

    List<SaveResult> results = store.saveAll(List.of(first, other, first, changed));

    assertThat(results)
        .containsExactly(
            new SaveResult(first.orderUid(), SaveOutcome.INSERTED),
            new SaveResult(other.orderUid(), SaveOutcome.INSERTED),
            new SaveResult(first.orderUid(), SaveOutcome.DUPLICATE),
            new SaveResult(first.orderUid(), SaveOutcome.CONFLICT));
    assertThat(store.count()).isEqualTo(2);
    assertThat(store.findJson(first.orderUid()))
        .hasValueSatisfying(json -> assertThat(json).isEqualTo(first.json()));
  }

  @Test
  void copiesOfAStoredOrderInOneBatchAreComparedWithTheStoredOne() {
    EncodedOrder stored = CODEC.encoded(random.next());
    store.saveAll(List.of(stored));
    EncodedOrder changed = CODEC.encoded(withAmount(stored.order(), 1));

    List<SaveResult> results = store.saveAll(List.of(changed, stored));

    assertThat(results)
        .extracting(SaveResult::outcome)
        .containsExactly(SaveOutcome.CONFLICT, SaveOutcome.DUPLICATE);
  }

  @Test
  void aBatchThatFailsMidwayLeavesNoRowOfAnyOfItsOrders() {
    EncodedOrder earlier = CODEC.encoded(random.next());
    store.saveAll(List.of(earlier));
    List<EncodedOrder> batch = new ArrayList<>(randomOrders(3));
    // PostgreSQL text cannot hold NUL: the headers, deliveries and payments are written by then,
    // the items statement fails.
    batch.add(1, CODEC.encoded(withFirstItemName(random.next(), "bad\u0000name")));
    List<String> uids = batch.stream().map(EncodedOrder::orderUid).toList();

    assertThatThrownBy(() -> store.saveAll(batch))
        .isInstanceOfSatisfying(
            OrderStoreException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageStartingWith("could not save a batch of 4 orders");

    for (String table : TABLES) {
      assertThat(schema.rowsOf(table, uids)).as(table).isZero();
    }
    assertThat(store.count()).isEqualTo(1);
    assertThat(store.findJson(earlier.orderUid())).isPresent();
  }

  @Test
  void theSampleOrderRoundTripsExactly() throws IOException {
    byte[] sample;
    try (InputStream in = getClass().getResourceAsStream("/sample-order.json")) {
      sample = in.readAllBytes();
    }
    Order order = ((DecodeResult.Decoded) CODEC.decode(sample)).order();
    EncodedOrder encoded = CODEC.encoded(order);

    assertThat(store.saveAll(List.of(encoded)))
        .extracting(SaveResult::outcome)
        .containsExactly(SaveOutcome.INSERTED);

    byte[] json = store.findJson("b563feb7b2b84b6test").orElseThrow();
    assertThat(json).isEqualTo(encoded.json());
    assertThat(((DecodeResult.Decoded) CODEC.decode(json)).order()).isEqualTo(order);
    assertThat(search.search(OrderQuery.newest(1)).orders())
        .containsExactly(
            new OrderSummary(
                "b563feb7b2b84b6test",
                "WBILMTESTTRACK",
                "test",
                "2021-11-26T06:22:19Z",
                1817,
                "USD",
                1));
  }

  @Test
  void anOrderWithoutItemsRoundTrips() {
    Order order = random.next();
    EncodedOrder empty = CODEC.encoded(withItems(order, List.of()));

    store.saveAll(List.of(empty));

    assertThat(store.findJson(order.orderUid()))
        .hasValueSatisfying(json -> assertThat(json).isEqualTo(empty.json()));
    assertThat(search.search(OrderQuery.newest(1)).orders())
        .extracting(OrderSummary::itemCount)
        .containsExactly(0);
    List<EncodedOrder> streamed = new ArrayList<>();
    store.streamAll(streamed::add);
    assertThat(streamed).extracting(EncodedOrder::json).containsExactly(empty.json());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7})
  void ordersWhoseRowsStraddleCursorFetchesStreamWhole(int fetchRows) {
    List<EncodedOrder> orders = randomOrders(20);
    store.saveAll(orders);

    List<EncodedOrder> streamed = new ArrayList<>();
    long fed = new PostgresOrderStore(schema.dataSource(), fetchRows).streamAll(streamed::add);

    assertThat(fed).isEqualTo(20);
    assertThat(streamed)
        .extracting(EncodedOrder::json)
        .containsExactlyElementsOf(orders.stream().map(EncodedOrder::json).toList());
  }

  @Test
  void anUnknownUidIsNotFound() {
    assertThat(store.findJson("no-such-order")).isEqualTo(Optional.empty());
  }

  @Test
  void anEmptyStoreStreamsNothingAndListsNothing() {
    assertThat(
            store.streamAll(
                o -> {
                  throw new AssertionError("fed " + o.orderUid());
                }))
        .isZero();
    assertThat(store.count()).isZero();
    assertThat(search.search(OrderQuery.newest(10)))
        .isEqualTo(new OrderPage(List.of(), Optional.empty()));
  }

  @Test
  void anEmptyBatchSavesNothing() {
    assertThat(store.saveAll(List.of())).isEmpty();
  }

  @Test
  void anUnreachableDatabaseIsATransientFailure() {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/orders?connectTimeout=2");
    PostgresOrderStore unreachable = new PostgresOrderStore(nowhere);

    assertThatThrownBy(unreachable::count)
        .isInstanceOfSatisfying(
            OrderStoreException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessageStartingWith("could not count orders: SQLState 08");
    assertThatThrownBy(() -> unreachable.saveAll(randomOrders(2)))
        .isInstanceOfSatisfying(
            OrderStoreException.class, e -> assertThat(e.isTransient()).isTrue());
  }

  private List<EncodedOrder> randomOrders(int n) {
    List<EncodedOrder> orders = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      orders.add(CODEC.encoded(random.next()));
    }
    return orders;
  }

  private Map<String, Long> rowCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : TABLES) {
      counts.put(table, schema.rows(table));
    }
    return counts;
  }

  private static Order withFirstItemName(Order o, String name) {
    List<Item> items = new ArrayList<>(o.items());
    Item i = items.get(0);
    items.set(
        0,
        new Item(
            i.chrtId(),
            i.trackNumber(),
            i.price(),
            i.rid(),
            name,
            i.sale(),
            i.size(),
            i.totalPrice(),
            i.nmId(),
            i.brand(),
            i.status()));
    return withItems(o, items);
  }
}
