package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.persistence.OrderRetention.Action;
import dev.orderservice.persistence.OrderRetention.Batch;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrderRetentionTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final Instant CUTOFF = Instant.parse("2023-06-01T00:00:00Z");

  private static TestSchema schema;
  private static PostgresOrderStore store;

  private final RandomOrders random = new RandomOrders(20_261_206L);

  @BeforeAll
  static void migrate() {
    schema = TestSchema.migrated("retention");
    store = new PostgresOrderStore(schema.dataSource());
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @BeforeEach
  void emptyTheStore() {
    schema.execute("truncate orders, delivery, payment, items, audit_log");
  }

  @Test
  void anonymizesExactlyTheOrdersCreatedBeforeTheCutoffAThousandATransactionAndAuditsTheRun() {
    List<EncodedOrder> old = orders("old", 2_500, CUTOFF.minus(Duration.ofDays(900)), CUTOFF);
    List<EncodedOrder> fresh = orders("new", 500, CUTOFF, CUTOFF.plus(Duration.ofDays(300)));
    store(old, fresh);
    List<Batch> batches = new CopyOnWriteArrayList<>();

    OrderRetention.Run run =
        new OrderRetention(schema.dataSource()).run(CUTOFF, Action.ANONYMIZE, batches::add);

    assertThat(run.skipped()).isFalse();
    assertThat(run.orders()).isEqualTo(2_500);
    assertThat(batches)
        .extracting(Batch::orders)
        .allSatisfy(n -> assertThat(n).isBetween(1, 1_000));
    assertThat(batches.get(0).orders()).isEqualTo(OrderRetention.FIRST_BATCH);
    assertThat(batches.stream().mapToInt(Batch::orders).sum()).isEqualTo(2_500);
    assertThat(run.batches()).isEqualTo(batches.size());
    assertThat(run.longestBatch()).isPositive().isLessThan(Duration.ofSeconds(1));
    assertThat(erasedUids()).isEqualTo(uids(old));
    for (EncodedOrder order : old) {
      assertThat(personalValuesLeft(order)).as(order.orderUid()).isEmpty();
    }
    for (EncodedOrder order : fresh) {
      assertThat(store.findJson(order.orderUid())).hasValue(order.json());
    }
    assertThat(new AuditLog(schema.dataSource()).newest(10))
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.action()).isEqualTo("retention");
              assertThat(entry.orders()).isEqualTo(2_500);
              assertThat(entry.origin()).isEqualTo("retention");
              assertThat(entry.subject()).isNull();
              assertThat(entry.detail())
                  .contains("anonymized 2500 orders", batches.size() + " batches");
            });
  }

  @Test
  void aSecondRunFindsNothingLeftToAnonymizeAndIsAuditedAsARunOfNone() {
    store(orders("old", 30, CUTOFF.minus(Duration.ofDays(10)), CUTOFF), List.of());
    OrderRetention retention = new OrderRetention(schema.dataSource());
    retention.run(CUTOFF, Action.ANONYMIZE);

    OrderRetention.Run again = retention.run(CUTOFF, Action.ANONYMIZE);

    assertThat(again.orders()).isZero();
    assertThat(again.batches()).isZero();
    assertThat(new AuditLog(schema.dataSource()).newest(10))
        .extracting(AuditLog.Entry::orders)
        .containsExactly(0L, 30L);
  }

  @Test
  void ordersCreatedAtTheSameInstantAreEachTakenOnceAcrossBatches() {
    Instant sameMoment = CUTOFF.minus(Duration.ofDays(1));
    List<EncodedOrder> old = orders("tie", 50, sameMoment, sameMoment.plusNanos(1_000));

    store(old, List.of());
    OrderRetention.Run run =
        new OrderRetention(schema.dataSource(), 7, 0).run(CUTOFF, Action.ANONYMIZE);

    assertThat(run.orders()).isEqualTo(50);
    assertThat(run.batches()).isEqualTo(8);
    assertThat(erasedUids()).isEqualTo(uids(old));
  }

  @Test
  void deletesTheOldOrdersWithTheirRowsAndAnnouncesThemWithTheCustomersPseudonym() {
    List<EncodedOrder> old = orders("old", 1_200, CUTOFF.minus(Duration.ofDays(1_400)), CUTOFF);
    List<EncodedOrder> fresh = orders("new", 300, CUTOFF, CUTOFF.plus(Duration.ofDays(30)));
    store(old, fresh);
    // One of the old ones was erased before: it goes too, announced under the same pseudonym.
    new OrderErasure(schema.dataSource()).eraseOrders(List.of(old.get(0).orderUid()), "test");
    List<StoredOrdersListener.Erased> heard = new CopyOnWriteArrayList<>();
    try (StoredOrdersListener listener =
        StoredOrdersListener.start(
            () -> DriverManager.getConnection(schema.jdbcUrl()),
            new StoredOrdersListener.Listener() {
              @Override
              public void stored(List<dev.orderservice.domain.OrderSummary> orders) {}

              @Override
              public void erased(List<StoredOrdersListener.Erased> orders) {
                heard.addAll(orders);
              }
            })) {
      await().atMost(Duration.ofSeconds(30)).until(listener::isListening);
      heard.clear();

      OrderRetention.Run run = new OrderRetention(schema.dataSource()).run(CUTOFF, Action.DELETE);

      assertThat(run.orders()).isEqualTo(1_200);
      await().atMost(Duration.ofSeconds(30)).until(() -> heard.size() == 1_200);
    }
    for (String table : List.of("orders", "delivery", "payment", "items")) {
      assertThat(schema.rowsOf(table, uids(old))).as(table).isZero();
    }
    assertThat(schema.rows("orders")).isEqualTo(300);
    assertThat(schema.rows("delivery")).isEqualTo(300);
    assertThat(heard)
        .extracting(StoredOrdersListener.Erased::orderUid)
        .containsExactlyInAnyOrderElementsOf(uids(old));
    Set<String> customers = new HashSet<>();
    old.forEach(o -> customers.add(o.order().customerId()));
    assertThat(heard)
        .allSatisfy(
            e -> {
              String customer = e.summary().orElseThrow().customerId();
              assertThat(PersonalData.isPseudonym(customer)).as(customer).isTrue();
              assertThat(customers).doesNotContain(customer);
            });
    assertThat(new AuditLog(schema.dataSource()).newest(1).get(0).detail())
        .contains("deleted 1200 orders");
  }

  @Test
  void aRunIsSkippedWhileAnotherInstanceHoldsTheLock() throws SQLException {
    List<EncodedOrder> old = orders("old", 20, CUTOFF.minus(Duration.ofDays(10)), CUTOFF);
    store(old, List.of());
    try (Connection other = schema.dataSource().getConnection()) {
      advisoryLock(other, "select pg_advisory_lock(?)");

      OrderRetention.Run skipped =
          new OrderRetention(schema.dataSource()).run(CUTOFF, Action.DELETE);

      assertThat(skipped.skipped()).isTrue();
      assertThat(skipped.orders()).isZero();
      assertThat(schema.rows("orders")).isEqualTo(20);
      assertThat(schema.rows("audit_log")).isZero();
      advisoryLock(other, "select pg_advisory_unlock(?)");
    }

    OrderRetention.Run run = new OrderRetention(schema.dataSource()).run(CUTOFF, Action.DELETE);

    assertThat(run.skipped()).isFalse();
    assertThat(run.orders()).isEqualTo(20);
  }

  @Test
  void batchesAreSizedToHoldTheirLocksAboutAQuarterOfASecondAndNeverMoreThanAThousandOrders() {
    OrderRetention retention = new OrderRetention(schema.dataSource());

    assertThat(retention.nextSize(100, Duration.ofMillis(10))).isEqualTo(200);
    assertThat(retention.nextSize(800, Duration.ofMillis(100))).isEqualTo(1_000);
    assertThat(retention.nextSize(1_000, Duration.ofMillis(1_000))).isEqualTo(250);
    assertThat(retention.nextSize(500, Duration.ofMillis(250))).isEqualTo(500);
    assertThat(retention.nextSize(100, Duration.ofSeconds(30))).isEqualTo(10);
    assertThat(new OrderRetention(schema.dataSource(), 7, 0).nextSize(7, Duration.ZERO))
        .isEqualTo(7);
  }

  @Test
  void theLockIsReleasedAfterARunSoThatTheNextOneOnAnyConnectionTakesIt() throws SQLException {
    new OrderRetention(schema.dataSource()).run(CUTOFF, Action.ANONYMIZE);

    try (Connection other = schema.dataSource().getConnection();
        PreparedStatement held =
            other.prepareStatement(
                "select count(*) from pg_locks where locktype = 'advisory'"
                    + " and classid::bigint = ? and objid::bigint = ?")) {
      held.setLong(1, OrderRetention.ADVISORY_LOCK_KEY >>> 32);
      held.setLong(2, OrderRetention.ADVISORY_LOCK_KEY & 0xffff_ffffL);
      try (ResultSet row = held.executeQuery()) {
        row.next();
        assertThat(row.getLong(1)).isZero();
      }
    }
  }

  /**
   * {@code count} orders named {@code prefix-N} whose date_created instants lie from {@code from}
   * (inclusive) to {@code until} (exclusive), written with various offsets.
   */
  private List<EncodedOrder> orders(String prefix, int count, Instant from, Instant until) {
    long span = Duration.between(from, until).toNanos() / 1_000;
    List<EncodedOrder> orders = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Instant at = from.plusNanos(span * i / count * 1_000);
      ZoneOffset offset = ZoneOffset.ofHours(i % 5 - 2);
      Order order = random.next(prefix + "-" + i).withDateCreated(at.atOffset(offset).toString());
      orders.add(CODEC.encoded(order));
    }
    return orders;
  }

  private static void store(List<EncodedOrder> old, List<EncodedOrder> fresh) {
    List<EncodedOrder> all = new ArrayList<>(old);
    all.addAll(fresh);
    for (int from = 0; from < all.size(); from += 1_000) {
      store.saveAll(all.subList(from, Math.min(all.size(), from + 1_000)));
    }
  }

  private static Set<String> uids(List<EncodedOrder> orders) {
    Set<String> uids = new HashSet<>();
    orders.forEach(o -> uids.add(o.orderUid()));
    return uids;
  }

  private static Set<String> erasedUids() {
    Set<String> uids = new HashSet<>();
    try (Connection c = schema.dataSource().getConnection();
        PreparedStatement select =
            c.prepareStatement("select order_uid from orders where erased_at is not null");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        uids.add(rows.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return uids;
  }

  /**
   * Which of the order's personal values are still in its rows of orders and delivery or in its
   * canonical JSON.
   */
  private static List<String> personalValuesLeft(EncodedOrder order) {
    var d = order.order().delivery();
    List<String> values =
        List.of(
            order.order().customerId(),
            d.name(),
            d.phone(),
            d.zip(),
            d.city(),
            d.address(),
            d.region(),
            d.email());
    String sql =
        "select o.customer_id, convert_from(o.canonical_json, 'UTF8'), row(d.*)::text"
            + " from orders o join delivery d on d.order_uid = o.order_uid"
            + " where o.order_uid = ?";
    try (Connection c = schema.dataSource().getConnection();
        PreparedStatement select = c.prepareStatement(sql)) {
      select.setString(1, order.orderUid());
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).isTrue();
        String stored = row.getString(1) + "\n" + row.getString(2) + "\n" + row.getString(3);
        return values.stream()
            .filter(v -> !v.isEmpty() && !PersonalData.MARKER.equals(v))
            .filter(stored::contains)
            .toList();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void advisoryLock(Connection c, String sql) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(sql)) {
      lock.setLong(1, OrderRetention.ADVISORY_LOCK_KEY);
      lock.executeQuery().close();
    }
  }
}
