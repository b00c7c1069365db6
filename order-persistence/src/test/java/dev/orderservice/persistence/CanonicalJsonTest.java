package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The canonical JSON kept in {@code orders.canonical_json} (V2) against the normalized tables it
 * stands beside: the two agree for every stored order, rows without it are served and backfilled
 * with the same bytes, and the newest-first stream reads it.
 */
class CanonicalJsonTest {

  private static final OrderCodec CODEC = OrderCodec.standard();

  private static TestSchema schema;
  private static PostgresOrderStore store;

  private final RandomOrders random = new RandomOrders(20_261_130L);

  @BeforeAll
  static void migrate() {
    schema = TestSchema.migrated("canonical");
    store = new PostgresOrderStore(schema.dataSource());
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
  void theStoredJsonOfEveryOrderIsTheEncodingOfItsNormalizedRows() {
    List<EncodedOrder> orders = randomOrders(3_000);
    for (int from = 0; from < orders.size(); from += 500) {
      store.saveAll(orders.subList(from, from + 500));
    }

    Map<String, byte[]> rebuilt = new LinkedHashMap<>();
    store.streamAll(o -> rebuilt.put(o.orderUid(), o.json()));
    Map<String, byte[]> kept = storedJson();

    assertThat(kept).hasSize(3_000);
    assertThat(rebuilt.keySet()).containsExactlyInAnyOrderElementsOf(kept.keySet());
    kept.forEach((uid, json) -> assertThat(json).as(uid).isNotNull().isEqualTo(rebuilt.get(uid)));
    for (EncodedOrder order : orders) {
      assertThat(kept.get(order.orderUid())).isEqualTo(order.json());
    }
  }

  @Test
  void anOrderStoredWithoutItsJsonIsServedFromTheNormalizedRowsWithTheSameBytes() {
    List<EncodedOrder> orders = randomOrders(10);
    store.saveAll(orders);
    schema.execute("update orders set canonical_json = null");

    for (EncodedOrder order : orders) {
      assertThat(store.findJson(order.orderUid())).hasValue(order.json());
    }
  }

  @Test
  void manyOrdersAreReadInOneCallByUidUnknownOnesLeftOutRowsWithoutJsonRebuilt() {
    List<EncodedOrder> orders = randomOrders(40);
    store.saveAll(orders);
    String withoutJson = orders.get(7).orderUid();
    schema.execute(
        "update orders set canonical_json = null where order_uid = '" + withoutJson + "'");
    List<String> asked = new ArrayList<>(orders.stream().map(EncodedOrder::orderUid).toList());
    asked.add("no-such-order");

    // Each connection answers in binary from the first lookup on; the bytes must be the stored
    // ones whichever lookup a connection is at.
    for (int lookup = 0; lookup < 8; lookup++) {
      Map<String, byte[]> found = store.findJsonAll(asked);

      assertThat(found).hasSize(40).doesNotContainKey("no-such-order");
      for (EncodedOrder order : orders) {
        assertThat(found.get(order.orderUid())).as(order.orderUid()).isEqualTo(order.json());
      }
      assertThat(store.findJson(orders.get(lookup).orderUid())).hasValue(orders.get(lookup).json());
    }
    assertThat(store.findJsonAll(List.of())).isEmpty();
  }

  @Test
  void migrationsFillTheJsonOfOrdersStoredWithoutIt() {
    List<EncodedOrder> orders = randomOrders(2_500);
    store.saveAll(orders);
    schema.execute("update orders set canonical_json = null where id % 2 = 0");

    Migrations.migrate(schema.dataSource());

    assertThat(storedJson().values()).doesNotContainNull();
    for (EncodedOrder order : orders) {
      assertThat(store.findJson(order.orderUid())).hasValue(order.json());
    }
  }

  @Test
  void upgradingAVersion1DatabaseBackfillsTheJsonGetReturnedBefore() throws Exception {
    try (TestSchema v1 = TestSchema.atVersion("v1", 1)) {
      List<EncodedOrder> orders = randomOrders(1_200);
      v1.writeAsOfVersion(1, orders);
      PostgresOrderStore before = new PostgresOrderStore(v1.dataSource());
      List<byte[]> servedBefore = new ArrayList<>();
      // The version 1 store rebuilt each order from the normalized rows: the same code serves a
      // row without its JSON now. Here the column does not even exist yet, so read it the old way.
      before.streamAll(o -> servedBefore.add(o.json()));

      // V2 to V9.
      assertThat(Migrations.migrate(v1.dataSource())).isEqualTo(8);

      PostgresOrderStore after = new PostgresOrderStore(v1.dataSource());
      for (int i = 0; i < orders.size(); i++) {
        assertThat(after.findJson(orders.get(i).orderUid())).hasValue(servedBefore.get(i));
      }
      assertThat(v1.rows("orders where canonical_json is null")).isZero();
    }
  }

  @Test
  void theNewestOrdersStreamNewestFirstUpToTheLimit() {
    List<EncodedOrder> orders = randomOrders(4_500);
    for (int from = 0; from < orders.size(); from += 500) {
      store.saveAll(orders.subList(from, from + 500));
    }

    Map<String, byte[]> jsonByUid = new LinkedHashMap<>();
    orders.forEach(o -> jsonByUid.put(o.orderUid(), o.json()));
    List<String> uids = new ArrayList<>();
    long fed =
        store.streamNewest(
            2_345,
            (uid, json) -> {
              uids.add(uid);
              assertThat(json).isEqualTo(jsonByUid.get(uid));
            });

    assertThat(fed).isEqualTo(2_345);
    List<String> newest =
        orders.subList(4_500 - 2_345, 4_500).stream().map(EncodedOrder::orderUid).toList();
    assertThat(uids).containsExactlyElementsOf(reversed(newest));
    assertThat(store.streamNewest(10_000, (uid, json) -> {})).isEqualTo(4_500);
    assertThat(store.streamNewest(0, (uid, json) -> {})).isZero();
  }

  @Test
  void theNewestStreamSkipsRowsWithoutJsonAndCountsOnlyTheOthers() {
    List<EncodedOrder> orders = randomOrders(10);
    store.saveAll(orders);
    schema.execute(
        "update orders set canonical_json = null where order_uid = '"
            + orders.get(9).orderUid()
            + "'");

    List<String> uids = new ArrayList<>();
    assertThat(store.streamNewest(3, (uid, json) -> uids.add(uid))).isEqualTo(3);
    assertThat(uids)
        .containsExactly(
            orders.get(8).orderUid(), orders.get(7).orderUid(), orders.get(6).orderUid());
  }

  @Test
  void aSinkThatFailsEndsTheNewestStreamAndLeavesTheConnectionsUsable() {
    List<EncodedOrder> orders = randomOrders(50);
    store.saveAll(orders);
    List<String> seen = new ArrayList<>();

    assertThatThrownBy(
            () ->
                store.streamNewest(
                    50,
                    (uid, json) -> {
                      seen.add(uid);
                      if (seen.size() == 10) {
                        throw new IllegalStateException("the cache is closing");
                      }
                    }))
        .hasMessageContaining("the cache is closing");

    assertThat(seen).hasSize(10);
    for (int i = 0; i < 5; i++) { // every pooled connection, the cancelled copy's included
      assertThat(store.streamNewest(50, (uid, json) -> {})).isEqualTo(50);
      assertThat(store.findJson(orders.get(i).orderUid())).isPresent();
    }
  }

  @Test
  void countingUpToALimitStopsThere() {
    store.saveAll(randomOrders(30));

    assertThat(store.countUpTo(10)).isEqualTo(10);
    assertThat(store.countUpTo(30)).isEqualTo(30);
    assertThat(store.countUpTo(1_000)).isEqualTo(30);
    assertThat(store.countUpTo(0)).isZero();
    assertThatThrownBy(() -> store.countUpTo(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.streamNewest(-1, (uid, json) -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private Map<String, byte[]> storedJson() {
    Map<String, byte[]> kept = new LinkedHashMap<>();
    try (Connection c = schema.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select order_uid, canonical_json from orders order by id")) {
      while (r.next()) {
        kept.put(r.getString(1), r.getBytes(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return kept;
  }

  private List<EncodedOrder> randomOrders(int n) {
    List<EncodedOrder> orders = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      orders.add(CODEC.encoded(random.next()));
    }
    return orders;
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }
}
