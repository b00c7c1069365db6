package dev.orderservice.persistence;

import static dev.orderservice.domain.OrderCopies.withHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.RandomOrders;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class MigrationsTest {

  private static final OrderCodec CODEC = OrderCodec.standard();

  @Test
  void migratingAnEmptyDatabaseCreatesTheFourTables() throws Exception {
    try (TestSchema schema = TestSchema.fresh("migrate")) {
      // V1 (the tables), V2 (the canonical JSON column), V3 (created_at), V4 (search indexes),
      // V5 (the summary columns), V6 (covering search indexes in place of V4's), V7 (the ingest's
      // positions), V8 (erasure, audit, the pseudonym key), V9 (the index of erased orders).
      assertThat(Migrations.migrate(schema.dataSource())).isEqualTo(9);

      assertThat(tables(schema)).contains("orders", "delivery", "payment", "items");
      for (String table : List.of("orders", "delivery", "payment", "items")) {
        assertThat(schema.rows(table)).as(table).isZero();
      }
    }
  }

  @Test
  void migratingAnUpToDateDatabaseAppliesNothing() {
    try (TestSchema schema = TestSchema.fresh("remigrate")) {
      Migrations.migrate(schema.dataSource());

      assertThat(Migrations.migrate(schema.dataSource())).isZero();
    }
  }

  @Test
  void migratingAnUnreachableDatabaseIsATransientFailure() {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/orders?connectTimeout=2");

    assertThatThrownBy(() -> Migrations.migrate(nowhere))
        .isInstanceOfSatisfying(
            OrderStoreException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessageStartingWith("could not migrate the database schema");
  }

  @Test
  void upgradingAVersion2DatabaseWithOrdersFillsCreatedAtAndBuildsSearchIndexesItsPlansUse()
      throws Exception {
    try (TestSchema v2 = TestSchema.atVersion("v2", 2)) {
      RandomOrders random = new RandomOrders(20_261_202L);
      List<EncodedOrder> orders = new ArrayList<>();
      for (int i = 0; i < 6_000; i++) {
        orders.add(CODEC.encoded(random.next()));
      }
      // Instants a SQL cast would refuse: the year 0000, an offset beyond +-15:59.
      orders.add(
          CODEC.encoded(withHeader(random.next(), "EDGE", "WBIL", "0000-01-01T00:00:00+18:00")));
      orders.add(
          CODEC.encoded(
              withHeader(random.next(), "EDGE", "WBIL", "9999-12-31T23:59:59.999999-18:00")));
      for (int from = 0; from < orders.size(); from += 1_000) {
        v2.writeAsOfVersion(2, orders.subList(from, Math.min(from + 1_000, orders.size())));
      }

      // V3 to V9.
      assertThat(Migrations.migrate(v2.dataSource())).isEqualTo(7);

      Map<String, BigDecimal> createdAt = epochSecondsOfCreatedAt(v2);
      assertThat(createdAt).hasSize(orders.size());
      for (EncodedOrder order : orders) {
        Instant expected = OrderDates.instant(order.order().dateCreated());
        assertThat(createdAt.get(order.orderUid()))
            .as(order.order().dateCreated())
            .isEqualByComparingTo(
                BigDecimal.valueOf(expected.getEpochSecond())
                    .add(BigDecimal.valueOf(expected.getNano(), 9)));
      }
      assertThat(v2.summaryMismatches()).isEmpty();
      assertThat(v2.indexesOfOrders())
          .containsEntry("orders_created_at_summary", true)
          .containsEntry("orders_track_number_summary", true)
          .containsEntry("orders_customer_id_summary", true)
          .containsEntry("orders_created_at_missing", true)
          .containsEntry("orders_summary_missing", true)
          .doesNotContainKeys(
              "orders_created_at_search", "orders_track_number_search", "orders_customer_id_search")
          .doesNotContainValue(false);

      v2.execute("analyze orders, payment, items");
      PostgresOrderSearch search = new PostgresOrderSearch(v2.dataSource());
      Order some = orders.get(1_234).order();
      Instant at = OrderDates.instant(some.dateCreated());
      Map<String, OrderQuery> searches =
          new LinkedHashMap<>(
              Map.of(
                  "orders_created_at_summary",
                  OrderQuery.newest(20),
                  "orders_track_number_summary",
                  OrderQuery.builder().trackNumber(some.trackNumber()).build(),
                  "orders_customer_id_summary",
                  OrderQuery.builder().customerId(some.customerId()).build()));
      searches.put(
          "orders_created_at_summary ",
          OrderQuery.builder().from(at.minusSeconds(86_400)).to(at).limit(100).build());
      for (Map.Entry<String, OrderQuery> each : searches.entrySet()) {
        String plan = v2.explain(search.query(each.getValue()));
        // An index-only scan once VACUUM has marked the updated rows' pages all-visible.
        assertThat(plan)
            .as(plan)
            .containsPattern("Index (Only )?Scan using " + each.getKey().strip() + " on orders")
            .doesNotContain("Seq Scan on orders")
            .doesNotContain("Sort");
      }
      assertThat(
              search.search(OrderQuery.builder().trackNumber(some.trackNumber()).build()).orders())
          .extracting(OrderSummary::orderUid)
          .contains(some.orderUid());
    }
  }

  @Test
  void upgradingAVersion4DatabaseCopiesEachSummaryFromItsPaymentAndItems() throws Exception {
    try (TestSchema v4 = TestSchema.atVersion("v4", 4)) {
      RandomOrders random = new RandomOrders(20_261_204L);
      List<EncodedOrder> orders = new ArrayList<>();
      for (int i = 0; i < 2_500; i++) {
        orders.add(CODEC.encoded(random.next()));
      }
      v4.writeAsOfVersion(4, orders);

      // V5 to V9.
      assertThat(Migrations.migrate(v4.dataSource())).isEqualTo(5);

      assertThat(v4.rows("orders")).isEqualTo(orders.size());
      assertThat(v4.summaryMismatches()).isEmpty();
      assertThat(Migrations.migrate(v4.dataSource())).isZero();
    }
  }

  @Test
  void anOrderAnEarlierReleaseStoresWithoutItsSummaryIsSummarizedFromPaymentAndItems()
      throws Exception {
    try (TestSchema schema = TestSchema.migrated("rolling")) {
      RandomOrders random = new RandomOrders(20_261_205L);
      EncodedOrder current = CODEC.encoded(random.next());
      EncodedOrder earlier = CODEC.encoded(random.next());
      PostgresOrderStore store = new PostgresOrderStore(schema.dataSource());
      store.saveAll(List.of(current));
      // An instance of the release before V5, during a rolling upgrade.
      schema.writeAsOfVersion(4, List.of(earlier));
      assertThat(schema.summaryMismatches()).containsExactly(earlier.orderUid());

      List<OrderSummary> found =
          new PostgresOrderSearch(schema.dataSource()).search(OrderQuery.newest(20)).orders();

      assertThat(found)
          .containsExactlyInAnyOrder(
              OrderSummary.of(current.order()), OrderSummary.of(earlier.order()));

      Migrations.migrate(schema.dataSource());
      assertThat(schema.summaryMismatches()).isEmpty();
    }
  }

  @Test
  void anIndexThatAFailedConcurrentBuildLeftInvalidIsRebuiltAtTheNextStart() throws Exception {
    try (TestSchema schema = TestSchema.atVersion("invalid", 5)) {
      RandomOrders random = new RandomOrders(20_261_203L);
      List<EncodedOrder> orders = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        orders.add(CODEC.encoded(random.next()));
      }
      new PostgresOrderStore(schema.dataSource()).saveAll(orders);

      // A writer's open transaction: a concurrent build waits for it, here no longer than 300 ms.
      try (Connection writer = schema.dataSource().getConnection();
          HikariDataSource impatient = schema.pool("options=-c%20lock_timeout=300")) {
        writer.setAutoCommit(false);
        try (Statement lock = writer.createStatement()) {
          lock.execute("lock table orders in row exclusive mode");
        }
        assertThatThrownBy(() -> Migrations.migrate(impatient))
            .isInstanceOf(OrderStoreException.class)
            .hasMessageStartingWith("could not migrate the database schema");
        writer.rollback();
      }
      assertThat(schema.indexesOfOrders()).containsEntry("orders_created_at_summary", false);

      // V6 again, and V7 to V9 after it.
      assertThat(Migrations.migrate(schema.dataSource())).isEqualTo(4);

      assertThat(schema.indexesOfOrders())
          .containsOnlyKeys(
              "orders_pk",
              "orders_id_uk",
              "orders_canonical_json_missing",
              "orders_created_at_summary",
              "orders_track_number_summary",
              "orders_customer_id_summary",
              "orders_created_at_missing",
              "orders_summary_missing",
              "orders_erased_at")
          .doesNotContainValue(false);
    }
  }

  private static Map<String, BigDecimal> epochSecondsOfCreatedAt(TestSchema schema)
      throws Exception {
    Map<String, BigDecimal> seconds = new HashMap<>();
    try (Connection c = schema.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("select order_uid, extract(epoch from created_at) from orders")) {
      while (r.next()) {
        seconds.put(r.getString(1), r.getBigDecimal(2));
      }
    }
    return seconds;
  }

  private static List<String> tables(TestSchema schema) throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection c = schema.dataSource().getConnection();
        ResultSet r = c.getMetaData().getTables(null, schema.name(), "%", new String[] {"TABLE"})) {
      while (r.next()) {
        tables.add(r.getString("TABLE_NAME"));
      }
    }
    return tables;
  }
}
