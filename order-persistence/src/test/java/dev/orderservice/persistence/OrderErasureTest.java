package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.testsupport.PersonalDataOrders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Erasure ({@link OrderErasure}), the access export ({@link CustomerExport}) and the audit log on
 * the test PostgreSQL: no personal value is left in any column of any table, the rest of the order
 * stays, a redelivery is a DUPLICATE and other content a CONFLICT, and the listener of another
 * instance hears of each erased order with its new summary.
 */
class OrderErasureTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private static TestSchema schema;
  private static PostgresOrderStore store;
  private static OrderErasure erasure;
  private static AuditLog audit;

  /** Each test has orders of its own seed and token: the same seed would give the same uids. */
  private final PersonalDataOrders orders = new PersonalDataOrders(2_026_12_06L);

  @BeforeAll
  static void migrate() {
    schema = TestSchema.migrated("erase");
    store = new PostgresOrderStore(schema.dataSource());
    erasure = new OrderErasure(schema.dataSource());
    audit = new AuditLog(schema.dataSource());
  }

  @AfterAll
  static void drop() {
    if (schema != null) {
      schema.close();
    }
  }

  @Test
  void anErasedOrderKeepsAllButItsPersonalDataAndARedeliveryIsADuplicate() throws Exception {
    EncodedOrder original = orders.order(orders.customer("one"));
    EncodedOrder bystander = orders.order(orders.customer("other"));
    store.saveAll(List.of(original, bystander));
    assertThat(orders.cellsWithToken(schema.dataSource(), schema.name())).isNotEmpty();

    OrderErasure.Result result = erasure.eraseOrders(List.of(original.orderUid()), "test");

    assertThat(result.erased()).containsExactly(original.orderUid());
    assertThat(result.alreadyErased()).isZero();
    Order erased = decode(store.findJson(original.orderUid()).orElseThrow());
    assertThat(PersonalData.isErased(erased)).isTrue();
    assertThat(PersonalData.isPseudonym(erased.customerId())).isTrue();
    assertThat(erased.withDelivery(original.order().delivery()).withCustomerId("x"))
        .isEqualTo(original.order().withCustomerId("x"));
    // The bystander is the only order left with personal values, in its two tables.
    assertThat(orders.cellsWithToken(schema.dataSource(), schema.name()))
        .allMatch(cell -> cell.startsWith("orders.") || cell.startsWith("delivery."))
        .hasSize(8 + 1); // 7 delivery fields + customer_id, and the canonical JSON
    assertThat(store.findJson(bystander.orderUid()).orElseThrow()).isEqualTo(bystander.json());

    // Read again from Kafka or uploaded again: a duplicate, nothing written; other content: a
    // conflict.
    EncodedOrder changed =
        CODEC.encoded(original.order().withTrackNumber(original.order().trackNumber() + "X"));
    List<SaveResult> again = store.saveAll(List.of(original));
    assertThat(again).extracting(SaveResult::outcome).containsExactly(SaveOutcome.DUPLICATE);
    assertThat(store.saveAll(List.of(changed)))
        .extracting(SaveResult::outcome)
        .containsExactly(SaveOutcome.CONFLICT);
    assertThat(PersonalData.isErased(decode(store.findJson(original.orderUid()).orElseThrow())))
        .isTrue();

    OrderErasure.Result twice = erasure.eraseOrders(List.of(original.orderUid()), "test");
    assertThat(twice.erased()).isEmpty();
    assertThat(twice.alreadyErased()).isEqualTo(1);
    assertThat(twice.nothingFound()).isFalse();
    OrderErasure.Result unknown = erasure.eraseOrders(List.of("no-such-order"), "test");
    assertThat(unknown.nothingFound()).isTrue();
    assertThat(unknown.notFound()).containsExactly("no-such-order");
  }

  @Test
  void aCustomersErasureLeavesNoPersonalValueAnywhereAndIsAudited() throws Exception {
    // A token of its own: the other tests' orders keep theirs.
    PersonalDataOrders orders = new PersonalDataOrders(500, "piiz");
    String customer = orders.customer("five-hundred");
    List<EncodedOrder> stored = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      stored.add(orders.order(customer));
    }
    for (int from = 0; from < stored.size(); from += 100) {
      store.saveAll(stored.subList(from, from + 100));
    }
    CopyOnWriteArrayList<StoredOrdersListener.Erased> heard = new CopyOnWriteArrayList<>();
    OrderErasure.Result result;
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
      awaitListening(listener);

      assertThat(orders.cellsWithToken(schema.dataSource(), schema.name())).hasSize(500 * 9);

      result = erasure.eraseCustomer(customer, "test");

      assertThat(result.erased()).hasSize(500);
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (heard.size() < 500 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(heard)
          .extracting(StoredOrdersListener.Erased::orderUid)
          .containsExactlyInAnyOrderElementsOf(result.erased());
      assertThat(heard)
          .allMatch(e -> e.summary().orElseThrow().customerId().equals(result.subject()));
    }
    assertThat(orders.cellsWithToken(schema.dataSource(), schema.name())).isEmpty();
    for (EncodedOrder order : stored) {
      byte[] json = store.findJson(order.orderUid()).orElseThrow();
      assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("piiz");
      assertThat(decode(json).customerId()).isEqualTo(result.subject());
    }

    OrderErasure.Result again = erasure.eraseCustomer(customer, "test again");
    assertThat(again.erased()).isEmpty();
    assertThat(again.alreadyErased()).isEqualTo(500);
    assertThat(erasure.eraseCustomer("nobody-at-all", "test").nothingFound()).isTrue();
    assertThat(audit.newest(3))
        .extracting(AuditLog.Entry::action, AuditLog.Entry::orders, AuditLog.Entry::origin)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("erase_customer", 0L, "test"),
            org.assertj.core.groups.Tuple.tuple("erase_customer", 0L, "test again"),
            org.assertj.core.groups.Tuple.tuple("erase_customer", 500L, "test"));
    assertThat(audit.newest(1000))
        .allMatch(e -> e.subject() == null || !e.subject().contains("piiz"));
  }

  @Test
  void anExportWritesEveryOrderOfTheCustomerAsStoredOneALine() {
    PersonalDataOrders orders = new PersonalDataOrders(450, "piix");
    String customer = orders.customer("export");
    List<EncodedOrder> stored = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      stored.add(orders.order(customer));
    }
    store.saveAll(stored);
    CustomerExport export = new CustomerExport(schema.dataSource());
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    long written = export.export(customer, out, "test export");

    assertThat(written).isEqualTo(450);
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines)
        .containsExactlyInAnyOrderElementsOf(
            stored.stream().map(o -> new String(o.json(), StandardCharsets.UTF_8)).toList());
    assertThat(export.hasOrders(customer)).isTrue();
    assertThat(export.hasOrders("nobody-at-all")).isFalse();
    AuditLog.Entry entry = audit.newest(1).get(0);
    assertThat(entry.action()).isEqualTo("export_customer");
    assertThat(entry.orders()).isEqualTo(450);
    assertThat(PersonalData.isPseudonym(entry.subject())).isTrue();
  }

  private static Order decode(byte[] json) {
    return ((DecodeResult.Decoded) CODEC.decode(json)).order();
  }

  private static void awaitListening(StoredOrdersListener listener) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!listener.isListening()) {
      assertThat(System.nanoTime()).as("listening in time").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }
}
