package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.persistence.BatchSave.Mode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StoredOrdersListener} through outages, on a PostgreSQL of its own that the tests stop and
 * start again (same data, same port), and through a connection that goes silent: it notices,
 * reconnects by itself, delivers what was committed while it was not listening, then goes on.
 */
class StoredOrdersListenerOutageTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private static EmbeddedPostgres postgres;
  private static String url;
  private static HikariDataSource pool;
  private static PostgresOrderStore store;

  private final RandomOrders random = new RandomOrders(20_261_205L);
  private final RecordingListener heard = new RecordingListener();

  /** While true, the listener's attempts to connect fail, as if the network were still down. */
  private volatile boolean refuseConnections;

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedPostgres.builder().build();
    postgres.start();
    url = postgres.createDatabaseIfNotExists("orders") + "?user=" + postgres.user();
    pool = OrderDatabase.pool(url, 2, "outage-test");
    Migrations.migrate(pool);
    store = new PostgresOrderStore(pool);
  }

  @AfterAll
  static void stopPostgres() {
    pool.close();
    postgres.close();
  }

  @BeforeEach
  void emptyTheStore() throws SQLException {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate orders, delivery, payment, items");
    }
  }

  @Test
  void afterTheDatabaseRestartsItListensAgainByItselfAndHearsNewOrders() {
    try (StoredOrdersListener listener = StoredOrdersListener.start(this::connect, heard)) {
      await().atMost(PATIENCE).until(listener::isListening);
      EncodedOrder before = order();
      save(before);
      await().atMost(PATIENCE).until(() -> heard.storedUids().contains(before.orderUid()));

      postgres.stop();
      await().atMost(PATIENCE).until(() -> !listener.isListening());
      postgres.start();
      await().atMost(PATIENCE).until(() -> listener.isListening() && listener.reconnects() == 1);
      EncodedOrder after = order();
      save(after);

      await().atMost(PATIENCE).until(() -> heard.storedUids().contains(after.orderUid()));
      assertThat(heard.storedUids()).containsExactly(before.orderUid(), after.orderUid());
      assertThat(heard.events())
          .startsWith("listening false")
          .contains("lost")
          .endsWith("listening true", "stored " + after.orderUid());
    }
  }

  @Test
  void ordersStoredWhileItCouldNotListenAreDeliveredBeforeItSaysItListensAgain() {
    try (StoredOrdersListener listener = StoredOrdersListener.start(this::connect, heard)) {
      await().atMost(PATIENCE).until(listener::isListening);
      EncodedOrder before = order();
      save(before);
      await().atMost(PATIENCE).until(() -> heard.storedUids().contains(before.orderUid()));

      refuseConnections = true;
      postgres.stop();
      await().atMost(PATIENCE).until(() -> !listener.isListening());
      postgres.start();
      // The database is back, the listener cannot reach it yet: nobody hears of these.
      List<EncodedOrder> missed = List.of(order(), order(), order());
      for (EncodedOrder order : missed) {
        save(order);
      }
      refuseConnections = false;
      await().atMost(PATIENCE).until(() -> heard.events().contains("listening true"));
      EncodedOrder after = order();
      save(after);

      await().atMost(PATIENCE).until(() -> heard.storedUids().contains(after.orderUid()));
      assertThat(heard.storedUids())
          .containsExactly(
              before.orderUid(),
              missed.get(0).orderUid(),
              missed.get(1).orderUid(),
              missed.get(2).orderUid(),
              after.orderUid());
      List<String> events = heard.events();
      assertThat(events.indexOf("stored " + missed.get(2).orderUid()))
          .isLessThan(events.indexOf("listening true"));
      assertThat(listener.reconnects()).isOne();
    }
  }

  @Test
  void aConnectionThatGoesSilentIsNoticedAndWhatCommittedMeanwhileIsDeliveredOnce()
      throws Exception {
    try (FreezingProxy proxy = new FreezingProxy(postgres.port());
        StoredOrdersListener listener =
            StoredOrdersListener.start(() -> connectThrough(proxy), heard)) {
      await().atMost(PATIENCE).until(listener::isListening);
      EncodedOrder before = order();
      save(before);
      await().atMost(PATIENCE).until(() -> heard.storedUids().contains(before.orderUid()));

      // A transaction that began before the connection went silent and commits after.
      EncodedOrder begunBefore = order();
      Connection longer = pool.getConnection();
      longer.setAutoCommit(false);
      new BatchSave(List.of(begunBefore)).run(longer, Mode.OPTIMISTIC);

      proxy.freezeOpenConnections();
      // Committed and notified at once, to a connection that will never pass it on.
      EncodedOrder missed = order();
      save(missed);
      longer.commit();
      longer.close();

      await().atMost(PATIENCE).until(() -> heard.events().contains("listening true"));
      EncodedOrder after = order();
      save(after);

      await().atMost(PATIENCE).until(() -> heard.storedUids().contains(after.orderUid()));
      // The catch-up delivers by insertion order.
      assertThat(heard.storedUids())
          .containsExactly(
              before.orderUid(), begunBefore.orderUid(), missed.orderUid(), after.orderUid());
      assertThat(heard.losses()).hasSize(1);
    }
  }

  private Connection connect() throws SQLException {
    if (refuseConnections) {
      throw new SQLException("the network is still down", "08001");
    }
    return DriverManager.getConnection(url);
  }

  private Connection connectThrough(FreezingProxy proxy) throws SQLException {
    return DriverManager.getConnection(
        url.replace(":" + postgres.port() + "/", ":" + proxy.port() + "/"));
  }

  /** Saves it, trying again while the pool still hands out connections from before a restart. */
  private void save(EncodedOrder order) {
    await()
        .atMost(PATIENCE)
        .ignoreExceptionsMatching(e -> e instanceof OrderStoreException s && s.isTransient())
        .until(
            () -> {
              store.saveAll(List.of(order));
              return true;
            });
  }

  private EncodedOrder order() {
    return CODEC.encoded(random.next());
  }
}
