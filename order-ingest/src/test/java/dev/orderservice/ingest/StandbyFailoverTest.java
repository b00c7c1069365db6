package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.domain.OrderService;
import dev.orderservice.ingest.MixedStream.BadRecord;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.PostgresIngestPositions;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.testsupport.PostgresCrash;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.StreamingStandby;
import dev.orderservice.testsupport.TestTopics;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Failover to an asynchronous standby that missed the last commits: the ingest writes through a
 * multi-host JDBC URL ({@code targetServerType=primary}); replication stops while orders keep
 * coming, the primary goes on alone and is killed with SIGKILL, the standby is promoted.
 */
class StandbyFailoverTest {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(StandbyFailoverTest.class);
  private static final String DATABASE = "orders";

  private final RunningTasks running = new RunningTasks();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger ingestLogger = (Logger) LoggerFactory.getLogger("dev.orderservice.ingest");
  private EmbeddedPostgres primary;
  private StreamingStandby standby;
  private HikariDataSource pool;

  @BeforeEach
  void startPrimaryAndStandby() {
    log.start();
    ingestLogger.addAppender(log);
    // Servers of its own, not the shared one: this test kills one of them.
    primary = EmbeddedPostgres.builder().build();
    primary.start();
    primary.createDatabaseIfNotExists(DATABASE);
    standby = StreamingStandby.start(primary, "failover_standby");
    HikariConfig config = new HikariConfig();
    config.setPoolName("failover");
    config.setJdbcUrl(standby.multiHostJdbcUrl(DATABASE));
    config.setMaximumPoolSize(4);
    config.setConnectionTimeout(2_000);
    config.setValidationTimeout(1_000);
    config.setInitializationFailTimeout(-1);
    pool = new HikariDataSource(config);
    Migrations.migrate(pool);
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    try {
      running.close();
    } finally {
      ingestLogger.detachAppender(log);
      pool.close();
      standby.close();
      primary.close();
    }
  }

  @Test
  void
      afterAFailoverToAStandbyThatMissedCommitsEveryOrderIsStoredOnceAndEveryBadRecordDeadLettered()
          throws Exception {
    TestTopics names = TestTopics.create("failover", 3);
    MixedStream stream = MixedStream.generate(names.topic(), 4_000, 200, 22L);
    PostgresOrderStore store = new PostgresOrderStore(pool);
    OrderIngest ingest =
        TestIngest.builder(names, new OrderService(store, new MapOrderCache()))
            .positions(new PostgresIngestPositions(pool))
            .build();
    running.start(ingest);
    await("the ingest has its partitions")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions() // the group does not exist until the ingest joins it
        .until(() -> RecoveredIngest.hasOneStableMember(names.group()));

    long lostWithoutPositions;
    Set<SourcePosition> badPositions;
    try (PacedProducer producer =
        PacedProducer.start(stream.records(), 15, Duration.ofMillis(50))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> store.count() >= 800);
      standby.disconnect();
      assertThat(producer.isDone())
          .as("orders keep streaming into the primary after replication stopped")
          .isFalse();
      await("the group commits offsets of orders the standby does not have")
          .atMost(Duration.ofSeconds(30))
          .until(() -> lostOnStandby(stream, producer, names) >= 300);

      PostgresCrash.sigkill(primary);
      lostWithoutPositions = lostOnStandby(stream, producer, names);
      LOG.info(
          "The standby lacks {} orders that the group's committed offsets claim are stored",
          lostWithoutPositions);
      standby.promote();

      await("every order stored after the failover")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> producer.isDone() && names.allCommitted() && store.count() >= 4_000);
      badPositions = producer.positionsOf(stream.badRecords().stream().map(BadRecord::record));
    }

    RecoveredIngest.assertNothingLost(
        "the standby", lostWithoutPositions, ingest, stream, store, names, badPositions);
    assertThat(wentBack())
        .as("the ingest logs how far it went back, per partition")
        .isNotEmpty()
        .allMatch(m -> m.matches("partition .*: the database is [\\d,]+ records behind .*"));
  }

  private long lostOnStandby(MixedStream stream, PacedProducer producer, TestTopics names)
      throws Exception {
    try (Connection connection = standby.connect(DATABASE)) {
      return CommittedButMissing.count(stream, producer, names.group(), connection);
    }
  }

  private List<String> wentBack() {
    return log.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("reading them again"))
        .toList();
  }
}
