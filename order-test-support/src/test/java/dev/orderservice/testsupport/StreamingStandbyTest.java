package dev.orderservice.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.orderservice.devstack.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replication and restore fixture itself: real PostgreSQL servers, no service. */
class StreamingStandbyTest {

  private EmbeddedPostgres primary;
  private String primaryUrl;

  @BeforeEach
  void startPrimary() throws SQLException {
    primary = EmbeddedPostgres.builder().build();
    primary.start();
    primaryUrl = primary.createDatabaseIfNotExists("replicated") + "?user=" + primary.user();
    execute(primaryUrl, "create table t (n int primary key)");
    execute(primaryUrl, "insert into t select generate_series(1, 100)");
  }

  @AfterEach
  void stopPrimary() {
    primary.close();
  }

  @Test
  void aDisconnectedStandbyPromotedAfterTheCrashOfItsPrimaryLacksWhatCameAfterTheDisconnect()
      throws SQLException {
    try (StreamingStandby standby = StreamingStandby.start(primary, "fixture_standby")) {
      String multiHost = standby.multiHostJdbcUrl("replicated");
      execute(multiHost, "insert into t select generate_series(101, 200)");
      await().atMost(Duration.ofSeconds(10)).until(() -> countOnStandby(standby) == 200);
      assertThat(standby.isInRecovery()).isTrue();

      standby.disconnect();
      execute(primaryUrl, "insert into t select generate_series(201, 300)");
      long pid = PostgresCrash.sigkill(primary);

      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(primary.isRunning()).isFalse();
      assertThat(countOnStandby(standby)).as("what the primary alone had is lost").isEqualTo(200);
      assertThatThrownBy(() -> execute(multiHost, "insert into t values (1000)"))
          .as("no server accepts writes before the promotion")
          .isInstanceOf(SQLException.class);

      standby.promote();

      assertThat(standby.isInRecovery()).isFalse();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(() -> execute(multiHost, "insert into t values (1000)"));
      assertThat(countOnStandby(standby)).isEqualTo(201);
    }
  }

  @Test
  void aStoppedStandbyStartsAgainAsAStandbyAndCatchesUp() throws SQLException {
    try (StreamingStandby standby = StreamingStandby.start(primary, "stopped_standby")) {
      standby.stop();
      execute(primaryUrl, "insert into t select generate_series(101, 150)");

      standby.start();

      assertThat(standby.isInRecovery()).isTrue();
      standby.awaitStreaming();
      await().atMost(Duration.ofSeconds(10)).until(() -> countOnStandby(standby) == 150);
    }
  }

  @Test
  void aServerStartedOnAnOnlineCopyHasWhatWasCommittedBeforeTheCopy(@TempDir Path temp)
      throws SQLException {
    Path copy = PostgresFileCopy.ofRunning(primary, temp.resolve("copy"), null);
    execute(primaryUrl, "insert into t select generate_series(101, 150)");

    try (EmbeddedPostgres restored =
        EmbeddedPostgres.builder().dataDirectory(copy).setting("fsync", "off").build()) {
      restored.start();
      String url = restored.jdbcUrl("replicated") + "?user=" + restored.user();
      assertThat(count(url)).isEqualTo(100);
      execute(url, "insert into t values (101)");
    }
    assertThat(count(primaryUrl)).isEqualTo(150);
    primary.stop();
    Path stoppedCopy = PostgresFileCopy.ofStopped(primary, temp.resolve("stopped"));
    assertThat(Files.exists(stoppedCopy.resolve("postmaster.pid"))).isFalse();
    try (EmbeddedPostgres restored =
        EmbeddedPostgres.builder().dataDirectory(stoppedCopy).setting("fsync", "off").build()) {
      restored.start();
      assertThat(count(restored.jdbcUrl("replicated") + "?user=" + restored.user())).isEqualTo(150);
    }
  }

  private static long countOnStandby(StreamingStandby standby) throws SQLException {
    try (Connection connection = standby.connect("replicated")) {
      return count(connection);
    }
  }

  private static long count(String url) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url)) {
      return count(connection);
    }
  }

  private static long count(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("select count(*) from t")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url + "&connectTimeout=2");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
