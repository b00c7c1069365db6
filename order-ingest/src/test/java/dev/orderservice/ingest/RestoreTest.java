package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.domain.OrderService;
import dev.orderservice.ingest.MixedStream.BadRecord;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.PostgresIngestPositions;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.testsupport.PostgresFileCopy;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestTopics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The database is restored from a file-level copy taken mid-stream, under the running ingest: it
 * goes away, and comes back on the same address without what was stored after the copy.
 */
class RestoreTest {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(RestoreTest.class);
  private static final String DATABASE = "orders";

  private final RunningTasks running = new RunningTasks();
  @TempDir Path temp;
  private EmbeddedPostgres original;
  private EmbeddedPostgres restored;
  private HikariDataSource pool;

  @BeforeEach
  void startOwnPostgres() {
    // Its own server, not the shared one: this test replaces it.
    original = EmbeddedPostgres.builder().build();
    original.start();
    HikariConfig config = new HikariConfig();
    config.setPoolName("restore");
    config.setJdbcUrl(original.createDatabaseIfNotExists(DATABASE));
    config.setUsername(original.user());
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
      pool.close();
      if (restored != null) {
        restored.close();
      }
      original.close();
    }
  }

  @Test
  void afterARestoreFromACopyTakenMidStreamEveryOrderIsStoredOnce() throws Exception {
    TestTopics names = TestTopics.create("restore", 3);
    MixedStream stream = MixedStream.generate(names.topic(), 4_000, 200, 23L);
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
      Path copy = PostgresFileCopy.ofRunning(original, temp.resolve("copy"), null);
      long copied = store.count();
      assertThat(producer.isDone()).as("orders keep coming after the copy").isFalse();
      await("the ingest stores on past the copy")
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.count() >= copied + 800);

      original.stop();
      restored =
          EmbeddedPostgres.builder()
              .port(original.port())
              .dataDirectory(copy)
              .setting("fsync", "off")
              .build();
      restored.start();
      try (Connection connection =
          DriverManager.getConnection(restored.jdbcUrl(DATABASE) + "?user=" + restored.user())) {
        lostWithoutPositions =
            CommittedButMissing.count(stream, producer, names.group(), connection);
      }
      LOG.info(
          "The restored database lacks {} orders that the group's committed offsets claim are stored",
          lostWithoutPositions);

      await("every order stored after the restore")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> producer.isDone() && names.allCommitted() && store.count() >= 4_000);
      badPositions = producer.positionsOf(stream.badRecords().stream().map(BadRecord::record));
    }

    RecoveredIngest.assertNothingLost(
        "the restored database", lostWithoutPositions, ingest, stream, store, names, badPositions);
  }
}
