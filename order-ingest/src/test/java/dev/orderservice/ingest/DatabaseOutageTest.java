package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostgreSQL goes away for ten seconds while orders keep arriving. */
class DatabaseOutageTest {

  private final RunningTasks running = new RunningTasks();
  private EmbeddedPostgres postgres;
  private HikariDataSource pool;

  @BeforeEach
  void startOwnPostgres() {
    // Its own server, not the shared one: this test stops it.
    postgres = EmbeddedPostgres.builder().build();
    postgres.start();
    HikariConfig config = new HikariConfig();
    config.setPoolName("outage");
    config.setJdbcUrl(postgres.createDatabaseIfNotExists("orders"));
    config.setUsername(postgres.user());
    config.setMaximumPoolSize(4);
    // Fail a batch within 2 s while the server is down, instead of Hikari's default 30 s.
    config.setConnectionTimeout(2_000);
    config.setValidationTimeout(1_000);
    config.setInitializationFailTimeout(-1);
    pool = new HikariDataSource(config);
    Migrations.migrate(pool);
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    running.close();
    pool.close();
    postgres.close();
  }

  @Test
  void ordersArrivingWhileTheDatabaseIsDownAreStoredWhenItIsBackAndNoneIsDeadLettered()
      throws InterruptedException {
    TestTopics names = TestTopics.create("outage", 3);
    PostgresOrderStore store = new PostgresOrderStore(pool);
    OrderIngest ingest =
        TestIngest.builder(names, new OrderService(store, new MapOrderCache())).build();
    running.start(ingest);

    try (BackgroundProducer producer =
        BackgroundProducer.start(names.topic(), 3_000, 50, Duration.ofMillis(100), 4L)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> store.count() >= 300);
      postgres.stop();
      assertThat(producer.isDone()).as("orders keep coming while the database is down").isFalse();
      await("the ingest waits out the outage in its group, rejecting nothing")
          .during(Duration.ofSeconds(10))
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  ingest.isRunning()
                      && ingest.metrics().deadLettered() == 0
                      && ingest.metrics().rebalances() == 0
                      && hasOneStableMember(names.group()));
      assertThat(ingest.metrics().retries()).isPositive();
      postgres.start();

      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> producer.isDone() && names.allCommitted());
      Map<String, Order> produced = producer.produced();
      assertThat(store.count()).isEqualTo(3_000);
      produced.forEach(
          (uid, order) ->
              assertThat(store.findJson(uid)).hasValue(OrderCodec.standard().encode(order)));
    }
    IngestMetrics metrics = ingest.metrics();
    assertThat(metrics.retries()).isPositive();
    assertThat(metrics.rebalances()).isZero();
    assertThat(metrics.deadLettered()).isZero();
    assertThat(metrics.rejected()).isZero();
    assertThat(hasOneStableMember(names.group())).isTrue();
    assertThat(TestBroker.readAll(names.deadLetterTopic())).isEmpty();
  }

  private static boolean hasOneStableMember(String group) {
    ConsumerGroupDescription description = TestBroker.describeGroup(group);
    return description.groupState() == GroupState.STABLE && description.members().size() == 1;
  }
}
