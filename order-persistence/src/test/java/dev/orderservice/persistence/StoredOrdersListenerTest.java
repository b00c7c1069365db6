package dev.orderservice.persistence;

import static dev.orderservice.domain.OrderCopies.withAmount;
import static dev.orderservice.domain.OrderCopies.withHeader;
import static dev.orderservice.domain.OrderCopies.withItems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.persistence.BatchSave.Mode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The NOTIFY that {@link PostgresOrderStore#saveAll} sends and what {@link StoredOrdersListener}
 * makes of it, on the shared test PostgreSQL: what is committed arrives once, in commit order; what
 * is not inserted or not committed never does. Outages are {@link
 * StoredOrdersListenerOutageTest}'s.
 */
class StoredOrdersListenerTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String APP = "stored-orders-listener-test";

  private static TestSchema schema;
  private static PostgresOrderStore store;

  private final RandomOrders random = new RandomOrders(20_261_204L);
  private final RecordingListener heard = new RecordingListener();
  private StoredOrdersListener listener;

  @BeforeAll
  static void migrate() {
    schema = TestSchema.migrated("listen");
    store = new PostgresOrderStore(schema.dataSource());
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @BeforeEach
  void startListening() {
    schema.execute("truncate orders, delivery, payment, items");
    listener = StoredOrdersListener.start(this::connect, heard);
    await().atMost(PATIENCE).until(listener::isListening);
  }

  @AfterEach
  void stopListening() {
    listener.close();
  }

  @Test
  void committedOrdersArriveOnceEachInCommitOrderAndDuplicatesOrConflictsAnnounceNothing() {
    List<EncodedOrder> first = orders(3);
    // About 200 bytes of JSON each: several notifications for one transaction.
    List<EncodedOrder> second = orders(600);
    EncodedOrder newOne = order();
    EncodedOrder newTwo = order();
    List<EncodedOrder> third =
        List.of(
            first.get(0), // duplicate
            CODEC.encoded(withAmount(first.get(1).order(), 1)), // conflict
            newOne,
            newTwo,
            newOne); // duplicate within the batch

    store.saveAll(first);
    store.saveAll(second);
    store.saveAll(third);
    store.saveAll(first); // all duplicates: nothing inserted, nothing announced
    EncodedOrder last = order();
    store.saveAll(List.of(last));

    List<EncodedOrder> inserted = new ArrayList<>(first);
    inserted.addAll(second);
    inserted.addAll(List.of(newOne, newTwo, last));
    await().atMost(PATIENCE).until(() -> heard.storedUids().contains(last.orderUid()));
    assertThat(heard.stored()).containsExactlyElementsOf(summaries(inserted));
  }

  @Test
  void aTransactionRolledBackAfterItsInsertsAnnouncesNothing() throws SQLException {
    List<EncodedOrder> rolledBack = orders(50);
    try (Connection c = schema.dataSource().getConnection()) {
      c.setAutoCommit(false);
      new BatchSave(rolledBack).run(c, Mode.OPTIMISTIC); // inserts and notifies
      c.rollback();
    }
    List<EncodedOrder> failing = new ArrayList<>(orders(3));
    failing.add(CODEC.encoded(withFirstItemName(random.next(), "nul\u0000")));
    assertThatThrownBy(() -> store.saveAll(failing)).isInstanceOf(OrderStoreException.class);
    EncodedOrder committed = order();

    store.saveAll(List.of(committed));

    await().atMost(PATIENCE).until(() -> !heard.stored().isEmpty());
    assertThat(heard.storedUids()).containsExactly(committed.orderUid());
    assertThat(schema.rowsOf("orders", uids(rolledBack))).isZero();
  }

  @Test
  void ordersOfConcurrentWritersArriveOnceEachWithEachTransactionInInsertionOrder()
      throws Exception {
    List<List<EncodedOrder>> batches = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      batches.add(orders(50));
    }
    ExecutorService writers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (List<EncodedOrder> batch : batches) {
        done.add(writers.submit(() -> store.saveAll(batch)));
      }
      for (Future<?> f : done) {
        f.get(1, TimeUnit.MINUTES);
      }
    } finally {
      writers.shutdownNow();
    }

    await().atMost(PATIENCE).until(() -> heard.stored().size() >= 24 * 50);
    List<String> arrived = heard.storedUids();
    assertThat(arrived).hasSize(24 * 50).doesNotHaveDuplicates();
    for (List<EncodedOrder> batch : batches) {
      List<String> batchUids = uids(batch);
      List<String> asArrived = arrived.stream().filter(new HashSet<>(batchUids)::contains).toList();
      assertThat(asArrived).containsExactlyElementsOf(batchUids);
    }
  }

  @Test
  void aSummaryTooLongForANotificationIsReadFromTheDatabase() {
    Order plain = random.next();
    Order longTrack = withHeader(random.next(), "T".repeat(9_000), "WBIL", "2021-11-26T06:22:19Z");
    Order cyrillic =
        withHeader(
            random.next(), "ТРЕК-№1 \"quoted\" \\ \u2028", "WBIL", "2021-11-26T09:22:19+03:00");
    List<EncodedOrder> batch =
        List.of(CODEC.encoded(plain), CODEC.encoded(longTrack), CODEC.encoded(cyrillic));

    store.saveAll(batch);

    await().atMost(PATIENCE).until(() -> heard.stored().size() >= 3);
    assertThat(heard.stored()).containsExactlyElementsOf(summaries(batch));
  }

  @Test
  void notificationsThatAreNotAStoresAreIgnoredAndListeningGoesOn() {
    schema.execute("select pg_notify('" + StoredOrdersListener.CHANNEL + "', 'not json')");
    schema.execute(
        "select pg_notify('" + StoredOrdersListener.CHANNEL + "', '[{\"order_uid\":5}]')");
    schema.execute("select pg_notify('" + StoredOrdersListener.CHANNEL + "', '{}')");
    EncodedOrder order = order();

    store.saveAll(List.of(order));

    await().atMost(PATIENCE).until(() -> !heard.stored().isEmpty());
    assertThat(heard.storedUids()).containsExactly(order.orderUid());
    assertThat(listener.isListening()).isTrue();
  }

  @Test
  void aCallbackThatThrowsDoesNotStopTheListener() {
    listener.close();
    AtomicInteger calls = new AtomicInteger();
    RecordingListener after = new RecordingListener();
    listener =
        StoredOrdersListener.start(
            this::connect,
            orders -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a failing client");
              }
              after.stored(orders);
            });
    await().atMost(PATIENCE).until(listener::isListening);

    store.saveAll(List.of(order()));
    await().atMost(PATIENCE).until(() -> calls.get() == 1);
    EncodedOrder second = order();
    store.saveAll(List.of(second));

    await().atMost(PATIENCE).until(() -> !after.stored().isEmpty());
    assertThat(after.storedUids()).containsExactly(second.orderUid());
  }

  @Test
  void aDatabaseNotReachableAtTheStartIsTriedAgainUntilItIs() {
    listener.close();
    AtomicInteger attempts = new AtomicInteger();
    RecordingListener late = new RecordingListener();
    listener =
        StoredOrdersListener.start(
            () -> {
              if (attempts.incrementAndGet() <= 3) {
                throw new SQLException("not yet", "08001");
              }
              return connect();
            },
            late);

    await().atMost(PATIENCE).until(listener::isListening);

    assertThat(late.events()).containsExactly("lost", "lost", "lost", "listening false");
    assertThat(late.losses()).extracting(Exception::getMessage).containsOnly("not yet");
    assertThat(listener.reconnects()).isZero();
  }

  @Test
  void closingEndsTheThreadAndItsConnectionAndCanBeRepeated() {
    assertThat(listenerThreads()).isOne();
    assertThat(schema.rows("pg_stat_activity where application_name = '" + APP + "'")).isOne();

    listener.close();
    listener.close();

    assertThat(listener.isListening()).isFalse();
    assertThat(listenerThreads()).isZero();
    await()
        .atMost(PATIENCE)
        .until(() -> schema.rows("pg_stat_activity where application_name = '" + APP + "'") == 0);
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(schema.jdbcUrl() + "&ApplicationName=" + APP);
  }

  private static long listenerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(StoredOrdersListener.THREAD_NAME) && t.isAlive())
        .count();
  }

  private List<EncodedOrder> orders(int n) {
    List<EncodedOrder> orders = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      orders.add(order());
    }
    return orders;
  }

  private EncodedOrder order() {
    return CODEC.encoded(random.next());
  }

  private static List<OrderSummary> summaries(List<EncodedOrder> orders) {
    return orders.stream().map(o -> OrderSummary.of(o.order())).toList();
  }

  private static List<String> uids(List<EncodedOrder> orders) {
    return orders.stream().map(EncodedOrder::orderUid).toList();
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
    return withItems(o, Collections.unmodifiableList(items));
  }
}
