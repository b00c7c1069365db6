package dev.orderservice.devstack;

import java.nio.file.Path;
import java.util.List;

/**
 * Starts and stops the postmaster of one {@link PostgresCluster} with {@code pg_ctl}, with the
 * options of its {@link PostgresServerSettings}.
 *
 * <p>Stateless apart from what it was built with; each call blocks until {@code pg_ctl} is done
 * (bounded by {@link PostgresCommands#TIMEOUT_SECONDS}). {@link EmbeddedPostgres} calls it under
 * its own lock.
 */
final class PostgresServerProcess {

  private final PostgresCluster cluster;
  private final PostgresServerSettings settings;

  PostgresServerProcess(PostgresCluster cluster, PostgresServerSettings settings) {
    this.cluster = cluster;
    this.settings = settings;
  }

  /**
   * {@code pg_ctl start -w} on {@code port}: returns once the server reports ready. On failure no
   * postmaster is left behind.
   *
   * @throws PortInUseException if the server could not bind {@code port}
   * @throws DevstackException if it failed otherwise (with pg_ctl's output and the log tail)
   */
  void start(int port) {
    long logOffset = DevstackFiles.sizeOrZero(cluster.serverLog());
    String options = settings.postmasterOptions(port);
    if (!settings.hbaLines().isEmpty()) {
      Path hbaFile = cluster.writeHbaFile(settings.hbaLines());
      options += " -c " + PostgresCommands.shellQuote("hba_file=" + hbaFile);
    }
    List<String> command =
        List.of(
            pgCtl().toString(),
            "start",
            "-w",
            "-t",
            Long.toString(PostgresCommands.TIMEOUT_SECONDS),
            "-D",
            cluster.dataDirectory().toString(),
            "-l",
            cluster.serverLog().toString(),
            "-o",
            options);
    PostgresCommands.Result result =
        PostgresCommands.run(
            command,
            cluster.workDirectory().resolve("pg_ctl-start.out"),
            PostgresCommands.TIMEOUT_SECONDS + 10);
    if (result.succeeded()) {
      return;
    }
    String logTail = cluster.serverLogTail(logOffset);
    DevstackException failure =
        new DevstackException(
            "PostgreSQL did not start on "
                + Ports.LOOPBACK
                + ":"
                + port
                + " (pg_ctl exit "
                + result.exitCode()
                + ")"
                + "\n--- pg_ctl output ---\n"
                + result.output()
                + "\n--- server log ---\n"
                + logTail);
    // pg_ctl may give up (timeout) while a postmaster is still coming up; do not leak it.
    PostgresCommands.run(
        PostgresCommands.pgCtlStop(pgCtl(), cluster.dataDirectory(), "immediate", 20),
        cluster.workDirectory().resolve("pg_ctl-cleanup.out"),
        30);
    if (logTail.contains("could not bind") || logTail.contains("Address already in use")) {
      throw new PortInUseException(failure);
    }
    throw failure;
  }

  /** {@code pg_ctl stop} in {@code mode}, waiting for the server to exit. */
  PostgresCommands.Result stop(String mode) {
    return PostgresCommands.run(
        PostgresCommands.pgCtlStop(
            pgCtl(), cluster.dataDirectory(), mode, PostgresCommands.TIMEOUT_SECONDS),
        cluster.workDirectory().resolve("pg_ctl-stop.out"),
        PostgresCommands.TIMEOUT_SECONDS + 10);
  }

  private static Path pgCtl() {
    return PostgresBinaries.program("pg_ctl");
  }

  /** The server could not bind its port; {@link #failure()} is what to report if not retried. */
  static final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient DevstackException failure;

    PortInUseException(DevstackException failure) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
    }

    DevstackException failure() {
      return failure;
    }
  }
}
