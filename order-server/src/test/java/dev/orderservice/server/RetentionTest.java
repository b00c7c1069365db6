package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With {@code RETENTION} set, the orders created longer ago than its period are anonymized (or,
 * with {@code RETENTION_ACTION=delete}, deleted) right after start-up, and the newer ones are
 * served as they were stored.
 */
class RetentionTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final OrderCodec CODEC = OrderCodec.standard();

  private final RandomOrders random = new RandomOrders(20_261_207L);

  @Test
  void oldOrdersAreAnonymizedAtStartUpAndCountedWhileNewerOnesStayAsTheyWere() {
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("retain");
    List<EncodedOrder> old = orders("old", 30, Instant.now().minus(Duration.ofDays(4 * 365)));
    List<EncodedOrder> fresh = orders("new", 10, Instant.now().minus(Duration.ofDays(2 * 365)));
    store(jdbcUrl, old, fresh);

    try (OrderServer server =
        TestStack.startServer(jdbcUrl, TestStack.newTopic("retain"), "--retention", "P3Y")) {
      Http http = new Http(server);

      await()
          .atMost(PATIENCE)
          .until(() -> retentionMeter(http, "order_retention_runs_total", "outcome", "done") == 1);
      for (EncodedOrder order : old) {
        JsonNode served = Http.json(http.get("/orders/" + order.orderUid()));
        assertThat(served.path("delivery").path("phone").asText()).isEqualTo(PersonalData.MARKER);
        assertThat(served.path("delivery").path("email").asText())
            .isEqualTo(PersonalData.EMAIL_MARKER);
        assertThat(PersonalData.isPseudonym(served.path("customer_id").asText())).isTrue();
        assertThat(served.path("order_uid").asText()).isEqualTo(order.orderUid());
      }
      for (EncodedOrder order : fresh) {
        assertThat(http.get("/orders/" + order.orderUid()).body()).isEqualTo(order.json());
      }
      assertThat(retentionMeter(http, "order_retention_orders_total", "action", "anonymize"))
          .isEqualTo(30);
    }
  }

  @Test
  void withTheDeleteActionOldOrdersAreGoneAtStartUp() {
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("retaindel");
    List<EncodedOrder> old = orders("old", 20, Instant.now().minus(Duration.ofDays(100)));
    List<EncodedOrder> fresh = orders("new", 5, Instant.now().minus(Duration.ofDays(10)));
    store(jdbcUrl, old, fresh);

    try (OrderServer server =
        TestStack.startServer(
            jdbcUrl,
            TestStack.newTopic("retaindel"),
            "--retention",
            "P90D",
            "--retention-action",
            "delete")) {
      Http http = new Http(server);

      await()
          .atMost(PATIENCE)
          .until(() -> retentionMeter(http, "order_retention_runs_total", "outcome", "done") == 1);
      for (EncodedOrder order : old) {
        assertThat(http.get("/orders/" + order.orderUid()).statusCode()).isEqualTo(404);
      }
      for (EncodedOrder order : fresh) {
        assertThat(http.get("/orders/" + order.orderUid()).body()).isEqualTo(order.json());
      }
      assertThat(retentionMeter(http, "order_retention_orders_total", "action", "delete"))
          .isEqualTo(20);
      assertThat(TestStack.countOrders(jdbcUrl)).isEqualTo(5);
    }
  }

  /** {@code count} orders created from {@code from} on, an hour apart, in various offsets. */
  private List<EncodedOrder> orders(String prefix, int count, Instant from) {
    List<EncodedOrder> orders = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Instant at = from.plus(i, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
      String dateCreated = at.atOffset(ZoneOffset.ofHours(i % 3)).toString();
      orders.add(CODEC.encoded(random.next(prefix + "-" + i).withDateCreated(dateCreated)));
    }
    return orders;
  }

  /** Stores the orders before the server starts, as an earlier run of it would have. */
  private static void store(String jdbcUrl, List<EncodedOrder> old, List<EncodedOrder> fresh) {
    try (HikariDataSource pool = OrderDatabase.pool(jdbcUrl, 2, "retention-test")) {
      Migrations.migrate(pool);
      PostgresOrderStore store = new PostgresOrderStore(pool);
      store.saveAll(old);
      store.saveAll(fresh);
    }
  }

  private static double retentionMeter(Http http, String name, String label, String value) {
    return Scrape.parse(Http.text(http.get("/metrics"))).value(name, label, value);
  }
}
