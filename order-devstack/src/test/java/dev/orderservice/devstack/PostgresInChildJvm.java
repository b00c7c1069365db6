package dev.orderservice.devstack;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM that starts an {@link EmbeddedPostgres}, commits one row to {@value #TABLE} and then
 * waits to be killed: the real "JVM that started PostgreSQL", for tests of what happens when it
 * dies. Launched with this JVM's test class path; its output (log lines and the ready line) goes to
 * a file, so nothing here depends on reading a pipe in time.
 */
final class PostgresInChildJvm implements AutoCloseable {

  static final String TABLE = "crash_test";

  /** Starting a JVM and PostgreSQL (initdb included) on a busy 2-core machine. */
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private static final String READY = "READY ";
  private static final String TEMPORARY = "temporary";

  private final Process process;
  private final Path output;

  private PostgresInChildJvm(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * Launches the child; {@code dataDirectory} empty means a temporary cluster. Its output goes to
   * {@code child.out} in {@code scratch}, and its temporary files (work directories a killed JVM
   * leaves behind) below {@code scratch} as well. Returns at once: use {@link #awaitReady()}.
   */
  static PostgresInChildJvm launch(Optional<Path> dataDirectory, String row, Path scratch)
      throws IOException {
    Path output = scratch.resolve("child.out");
    Path temporaryFiles = Files.createDirectories(scratch.resolve("child-tmp"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.add("-Djava.io.tmpdir=" + temporaryFiles);
    String binariesCache = System.getProperty(PostgresBinaries.CACHE_DIR_PROPERTY);
    if (binariesCache != null) {
      command.add("-D" + PostgresBinaries.CACHE_DIR_PROPERTY + "=" + binariesCache);
    }
    // Surefire may start tests with a manifest-only jar; this property holds the real path.
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
            PostgresInChildJvm.class.getName(),
            dataDirectory.map(Path::toString).orElse(TEMPORARY),
            row));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    return new PostgresInChildJvm(process, output);
  }

  /** Blocks until the row is committed; returns the child's data directory. */
  Path awaitReady() {
    await("the child JVM starts PostgreSQL and commits its row")
        .atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> readyLine().isPresent() || !process.isAlive());
    return Path.of(
        readyLine()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "the child JVM exited ("
                            + process.exitValue()
                            + ") before it was ready:\n"
                            + DevstackFiles.tail(output, 0, DevstackFiles.TAIL_BYTES)))
            .substring(READY.length()));
  }

  /** The JVM itself, for the processes it started. */
  ProcessHandle jvm() {
    return process.toHandle();
  }

  /** SIGKILL for the JVM only, as the OOM killer would do it; returns once it is gone. */
  void killJvm() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGKILL for the JVM's child processes (the watchdog) first and then the JVM, so that nothing is
   * left to stop its PostgreSQL; returns once the JVM is gone.
   */
  void killJvmAndWatchdog() throws InterruptedException {
    for (ProcessHandle child : process.toHandle().descendants().toList()) {
      LocalProcess.of(child).killWithDescendants(Duration.ofSeconds(30));
    }
    killJvm();
  }

  /** Kills whatever is left, for test clean-up. */
  @Override
  public void close() throws InterruptedException {
    killJvm();
  }

  private Optional<String> readyLine() {
    try {
      return Files.readAllLines(output).stream().filter(line -> line.startsWith(READY)).findFirst();
    } catch (IOException e) {
      return Optional.empty(); // not written yet
    }
  }

  /** Arguments: the data directory (or {@value #TEMPORARY}) and the text of the row to commit. */
  public static void main(String[] args) throws Exception {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (!args[0].equals(TEMPORARY)) {
      builder.dataDirectory(Path.of(args[0]));
    }
    EmbeddedPostgres postgres = builder.build();
    postgres.start();
    try (Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
        Statement statement = connection.createStatement();
        PreparedStatement insert =
            connection.prepareStatement("insert into " + TABLE + " values (?)")) {
      statement.execute("create table if not exists " + TABLE + " (note text)");
      insert.setString(1, args[1]);
      insert.executeUpdate();
    }
    System.out.println(READY + postgres.dataDirectory());
    System.out.flush();
    // Until killed: the tests are about this JVM dying without a word.
    Thread.currentThread().join();
  }
}
