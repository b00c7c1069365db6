package dev.orderservice.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one PostgreSQL database cluster: its data directory (the caller's, or one inside the
 * work directory), the server log, and a work directory for the output of {@code initdb} and {@code
 * pg_ctl}; and {@code initdb}, which fills a new data directory.
 *
 * <p>The paths are fixed on {@link #prepare(Path)}. Not thread-safe; {@link EmbeddedPostgres} calls
 * it under its own lock.
 */
final class PostgresCluster {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  private final Path workDirectory;
  private final Path dataDirectory;
  private final Path serverLog;

  private PostgresCluster(Path workDirectory, Path dataDirectory, Path serverLog) {
    this.workDirectory = workDirectory;
    this.dataDirectory = dataDirectory;
    this.serverLog = serverLog;
  }

  /**
   * Creates a new work directory, and lays the cluster out in {@code configuredDataDirectory}, or
   * in the work directory if that is null.
   *
   * @throws DevstackException if the work directory cannot be created
   */
  static PostgresCluster prepare(Path configuredDataDirectory) {
    Path workDirectory;
    try {
      workDirectory = Files.createTempDirectory("order-devstack-pg-");
    } catch (IOException e) {
      throw new DevstackException("could not create a work directory: " + e, e);
    }
    if (configuredDataDirectory == null) {
      return new PostgresCluster(
          workDirectory, workDirectory.resolve("data"), workDirectory.resolve("postgres.log"));
    }
    // Kept next to the data so that a persistent server's history survives close().
    Path serverLog =
        configuredDataDirectory.resolveSibling(
            configuredDataDirectory.getFileName() + ".devstack-postgres.log");
    return new PostgresCluster(workDirectory, configuredDataDirectory, serverLog);
  }

  Path workDirectory() {
    return workDirectory;
  }

  Path dataDirectory() {
    return dataDirectory;
  }

  Path serverLog() {
    return serverLog;
  }

  /** The server log from {@code offset} on, at most {@link DevstackFiles#TAIL_BYTES} of it. */
  String serverLogTail(long offset) {
    return DevstackFiles.tail(serverLog, offset, DevstackFiles.TAIL_BYTES);
  }

  /**
   * Runs {@code initdb} unless the data directory already holds a cluster ({@code PG_VERSION}).
   *
   * @throws DevstackException if initdb fails (with its output), or the directory holds other files
   */
  void initialiseIfNeeded(PostgresServerSettings settings) {
    if (Files.exists(dataDirectory.resolve("PG_VERSION"))) {
      LOG.debug("reusing initialised data directory {}", dataDirectory);
      return;
    }
    if (Files.isDirectory(dataDirectory) && !isEmptyDirectory(dataDirectory)) {
      throw new DevstackException(
          "data directory "
              + dataDirectory
              + " is not empty but holds no PostgreSQL cluster (no PG_VERSION); refusing to touch"
              + " it");
    }
    List<String> command =
        new ArrayList<>(
            List.of(PostgresBinaries.program("initdb").toString(), "-D", dataDirectory.toString()));
    command.addAll(settings.initdbOptions());
    long started = System.nanoTime();
    PostgresCommands.Result result =
        PostgresCommands.run(
            command, workDirectory.resolve("initdb.out"), PostgresCommands.TIMEOUT_SECONDS);
    if (!result.succeeded()) {
      throw new DevstackException(
          "initdb failed (exit "
              + result.exitCode()
              + ") for "
              + dataDirectory
              + "\n--- initdb output ---\n"
              + result.output());
    }
    LOG.debug("initdb {} took {} ms", dataDirectory, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Writes {@code lines} as the {@code pg_hba.conf} of the next start, into the work directory (so
   * a kept data directory's own file stays as it is), and returns its path.
   *
   * @throws DevstackException if it cannot be written
   */
  Path writeHbaFile(List<String> lines) {
    Path file = workDirectory.resolve("pg_hba.conf");
    try {
      Files.write(file, lines);
    } catch (IOException e) {
      throw new DevstackException("could not write " + file + ": " + e, e);
    }
    return file;
  }

  /**
   * Deletes the work directory, and with it a temporary data directory, logging (not throwing) a
   * failure. A data directory given by the caller is kept.
   */
  void deleteWorkDirectory() {
    try {
      DevstackFiles.deleteRecursively(workDirectory);
    } catch (RuntimeException e) {
      LOG.warn("could not delete {}: {}", workDirectory, e.toString());
    }
  }

  private static boolean isEmptyDirectory(Path directory) {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
