package dev.orderservice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens to an embedded PostgreSQL when the JVM that started it dies without a word ({@code
 * kill -9}): real child JVMs, real signals, real servers.
 */
class EmbeddedPostgresCrashTest {

  /** "Within a few seconds", with room for a busy machine. */
  private static final Duration ORPHAN_DEADLINE = Duration.ofSeconds(15);

  @TempDir Path temp;

  @Test
  void stopsByItselfWithinSecondsWhenItsJvmIsKilledAndTheNextStartFindsTheRow() throws Exception {
    Path dataDirectory = temp.resolve("pgdata");
    try (PostgresInChildJvm child = launch(Optional.of(dataDirectory), "before the crash")) {
      child.awaitReady();
      LocalProcess server = postmasterOf(dataDirectory);

      child.killJvm();

      await("the server of the killed JVM stops by itself")
          .atMost(ORPHAN_DEADLINE)
          .until(() -> !server.isAlive());
    }
    try (EmbeddedPostgres next = EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      next.start();
      assertThat(rows(next)).containsExactly("before the crash");
    }
  }

  @Test
  void stopsAServerThatAKilledJvmLeftRunningBeforeStartingOnItsDataDirectory() throws Exception {
    Path dataDirectory = temp.resolve("pgdata");
    LocalProcess leftover;
    try (PostgresInChildJvm child = launch(Optional.of(dataDirectory), "left running")) {
      child.awaitReady();
      leftover = postmasterOf(dataDirectory);

      child.killJvmAndWatchdog();
    }
    assertThat(leftover.isAlive()).as("the server outlived its JVM and watchdog").isTrue();

    try (EmbeddedPostgres next = EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      next.start();
      assertThat(leftover.isAlive()).isFalse();
      assertThat(postmasterOf(dataDirectory)).isNotEqualTo(leftover);
      assertThat(rows(next)).containsExactly("left running");
    }
  }

  @Test
  void recoversEveryCommittedRowWhenTheWholeServerWasKilledAsInAPowerLoss() throws Exception {
    Path dataDirectory = temp.resolve("pgdata");
    try (PostgresInChildJvm child = launch(Optional.of(dataDirectory), "committed")) {
      child.awaitReady();
      LocalProcess server = postmasterOf(dataDirectory);
      List<LocalProcess> serverProcesses = processTree(server);

      child.killJvmAndWatchdog();
      server.killWithDescendants(ORPHAN_DEADLINE);

      await("every process of the server is gone")
          .atMost(ORPHAN_DEADLINE)
          .until(() -> serverProcesses.stream().noneMatch(LocalProcess::isAlive));
    }
    assertThat(dataDirectory.resolve(LeftoverServer.PID_FILE)).exists();

    try (EmbeddedPostgres next = EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      next.start();
      assertThat(rows(next)).containsExactly("committed");
    }
  }

  @Test
  void deletesTheTemporaryClusterOfAKilledJvm() throws Exception {
    Path dataDirectory;
    try (PostgresInChildJvm child = launch(Optional.empty(), "throw-away")) {
      dataDirectory = child.awaitReady();
      LocalProcess server = postmasterOf(dataDirectory);

      child.killJvm();

      await("the server stops and its temporary directory goes")
          .atMost(ORPHAN_DEADLINE)
          .until(() -> !server.isAlive() && !Files.exists(dataDirectory.getParent()));
    }
  }

  @Test
  void startsOverAStalePostmasterPidWhosePidNowBelongsToAnUnrelatedProcess() throws Exception {
    Path dataDirectory = temp.resolve("pgdata");
    List<String> lockFile;
    try (EmbeddedPostgres first = EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      first.start();
      execute(first, "create table kept (id int)", "insert into kept values (7)");
      lockFile = Files.readAllLines(dataDirectory.resolve(LeftoverServer.PID_FILE));
    }
    Process unrelated = new ProcessBuilder("sleep", "600").start();
    try {
      List<String> stale = new ArrayList<>(lockFile);
      stale.set(0, Long.toString(unrelated.pid()));
      Files.write(dataDirectory.resolve(LeftoverServer.PID_FILE), stale);

      try (EmbeddedPostgres next =
          EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
        next.start();
        assertThat(count(next, "select count(*) from kept where id = 7")).isEqualTo(1);
      }
      assertThat(unrelated.isAlive()).as("the unrelated process is left alone").isTrue();
    } finally {
      unrelated.destroyForcibly();
    }
  }

  @Test
  void refusesADataDirectoryWhoseServerALiveJvmStillRuns() throws Exception {
    Path dataDirectory = temp.resolve("pgdata");
    try (PostgresInChildJvm owner = launch(Optional.of(dataDirectory), "owned");
        EmbeddedPostgres intruder =
            EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      owner.awaitReady();
      LocalProcess server = postmasterOf(dataDirectory);

      assertThatThrownBy(intruder::start)
          .isInstanceOf(DevstackException.class)
          .hasMessageContaining(
              "is in use by the JVM with PID " + owner.jvm().pid() + ", which is still running");
      assertThat(server.isAlive()).as("the owner's server is left alone").isTrue();
    }
  }

  @Test
  void refusesADataDirectoryWhoseServerAnotherInstanceOfThisJvmRuns() throws Exception {
    Path dataDirectory = temp.resolve("pgdata");
    try (EmbeddedPostgres owner = EmbeddedPostgres.builder().dataDirectory(dataDirectory).build();
        EmbeddedPostgres intruder =
            EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      owner.start();

      assertThatThrownBy(intruder::start)
          .isInstanceOf(DevstackException.class)
          .hasMessageContaining("is in use by another EmbeddedPostgres of this JVM");
      assertThat(count(owner, "select 1")).isEqualTo(1);
    }
  }

  @Test
  void endsItsWatchdogOnStopSoThatItCannotStopALaterServer() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().build()) {
      postgres.start();
      Path dataDirectory = postgres.dataDirectory();
      LocalProcess watchdog = ServerOwner.readFrom(dataDirectory).orElseThrow().watchdog();
      assertThat(watchdog.isAlive()).isTrue();

      postgres.stop();

      assertThat(watchdog.isAlive()).isFalse();
      assertThat(ServerOwner.readFrom(dataDirectory)).isEmpty();
      postgres.start();
      assertThat(count(postgres, "select 1")).isEqualTo(1);
    }
  }

  @Test
  void stopsWithoutComplaintAServerWhosePostmasterWasKilledAndEndsItsWatchdog() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().build()) {
      postgres.start();
      Path dataDirectory = postgres.dataDirectory();
      LocalProcess watchdog = ServerOwner.readFrom(dataDirectory).orElseThrow().watchdog();
      LocalProcess postmaster = postmasterOf(dataDirectory);

      assertThat(postmaster.killWithDescendants(ORPHAN_DEADLINE)).isTrue();
      assertThat(dataDirectory.resolve(LeftoverServer.PID_FILE)).exists();
      postgres.stop();

      assertThat(postgres.isRunning()).isFalse();
      assertThat(watchdog.isAlive()).isFalse();
      assertThat(ServerOwner.readFrom(dataDirectory)).isEmpty();
      postgres.start();
      assertThat(count(postgres, "select 1")).isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------------------------------

  private PostgresInChildJvm launch(Optional<Path> dataDirectory, String row) throws IOException {
    return PostgresInChildJvm.launch(dataDirectory, row, temp);
  }

  private static LocalProcess postmasterOf(Path dataDirectory) throws IOException {
    long pid =
        Long.parseLong(
            Files.readAllLines(dataDirectory.resolve(LeftoverServer.PID_FILE)).get(0).strip());
    return LocalProcess.running(pid)
        .orElseThrow(() -> new AssertionError("no running postmaster with PID " + pid));
  }

  private static List<LocalProcess> processTree(LocalProcess root) {
    ProcessHandle handle = ProcessHandle.of(root.pid()).orElseThrow();
    return Stream.concat(Stream.of(handle), handle.descendants()).map(LocalProcess::of).toList();
  }

  private static List<String> rows(EmbeddedPostgres postgres) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = connect(postgres);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("select note from " + PostgresInChildJvm.TABLE)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  private static void execute(EmbeddedPostgres postgres, String... statements) throws SQLException {
    try (Connection connection = connect(postgres);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static long count(EmbeddedPostgres postgres, String query) throws SQLException {
    try (Connection connection = connect(postgres);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  private static Connection connect(EmbeddedPostgres postgres) throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
  }
}
