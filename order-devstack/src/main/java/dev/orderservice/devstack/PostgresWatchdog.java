package dev.orderservice.devstack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small {@code /bin/sh} child process that stops the PostgreSQL server of one data directory when
 * the JVM that started it dies, in any way: {@code kill -9} and the OOM killer included, where no
 * shutdown hook runs.
 *
 * <p>How it notices: its standard input is a pipe whose only writing end is held by this JVM (Java
 * closes every other descriptor in the processes it starts, so neither {@code pg_ctl} nor the
 * postmaster inherits it). The script blocks reading that pipe; we never write to it. When the JVM
 * dies the kernel closes its end, the read returns end-of-file, and the script runs {@code pg_ctl
 * stop -m fast} on the data directory, {@code -m immediate} if that does not finish in 10 s, and
 * then deletes the instance's work directory as {@link EmbeddedPostgres#close()} would have (for a
 * temporary cluster it holds the data too). The script ignores the terminal's signals (a Ctrl-C
 * reaches the whole process group), so only the pipe decides when it acts. Its output goes to the
 * server log.
 *
 * <p>{@link #close()} ends it without letting it act (SIGKILL while it is blocked reading, before
 * its end of the pipe is closed), so a watchdog that was closed can never stop a server started
 * later on the same data directory. Only needs POSIX {@code sh} and {@code pg_ctl}.
 *
 * <p>Thread-safe; {@link #close()} is idempotent and blocks for at most a few seconds.
 */
final class PostgresWatchdog implements AutoCloseable {

  /** How long the script waits for fast shutdown before it falls back to immediate shutdown. */
  private static final int STOP_TIMEOUT_SECONDS = 10;

  /**
   * How long the script keeps looking for a server that is not up (yet): a JVM killed while its
   * {@code pg_ctl start} runs leaves a postmaster that only appears a moment later.
   */
  private static final int LOOK_FOR_SERVER_SECONDS = 10;

  private final Process process;
  private final LocalProcess identity;

  private PostgresWatchdog(Process process) {
    this.process = process;
    this.identity = LocalProcess.of(process.toHandle());
  }

  /**
   * Starts a watchdog for the server of {@code dataDirectory}.
   *
   * @param pgCtl the {@code pg_ctl} binary
   * @param log where the script's output is appended (the server log)
   * @param workDirectory deleted once the server has stopped
   * @throws DevstackException if {@code /bin/sh} cannot be started
   */
  static PostgresWatchdog start(Path pgCtl, Path dataDirectory, Path log, Path workDirectory) {
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", "-c", script(pgCtl, dataDirectory, workDirectory))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // Standard input stays a pipe from this JVM (ProcessBuilder's default): that pipe is the point.
    PostgresCommands.scrubEnvironment(builder.environment());
    try {
      return new PostgresWatchdog(builder.start());
    } catch (IOException e) {
      throw new DevstackException("could not start the PostgreSQL watchdog (/bin/sh): " + e, e);
    }
  }

  /** The watchdog's own process, for the {@link ServerOwner} record. */
  LocalProcess process() {
    return identity;
  }

  /** Ends the watchdog without letting it stop anything. */
  @Override
  public void close() {
    // Process.destroyForcibly sends SIGKILL before it closes our end of the pipe, so the script
    // dies in its blocking read and never sees end-of-file.
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String script(Path pgCtl, Path dataDirectory, Path workDirectory) {
    String status =
        PostgresCommands.shellLine(
                List.of(pgCtl.toString(), "status", "-D", dataDirectory.toString()))
            + " >/dev/null 2>&1";
    return "trap '' HUP INT QUIT TERM\n"
        + "while read -r line; do :; done\n"
        + "echo \"order-devstack watchdog: the JVM (PID "
        + ProcessHandle.current().pid()
        + ") that started PostgreSQL on this data directory is gone; stopping it\"\n"
        // A JVM killed while its pg_ctl start runs leaves a server that appears a moment later.
        + "tries=0\n"
        + "until "
        + status
        + " || [ \"$tries\" -ge "
        + LOOK_FOR_SERVER_SECONDS
        + " ]; do tries=$((tries + 1)); sleep 1; done\n"
        + stopLine(pgCtl, dataDirectory, "fast")
        + " || "
        + stopLine(pgCtl, dataDirectory, "immediate")
        + "\n"
        + status
        + " || rm -rf -- "
        + PostgresCommands.shellQuote(workDirectory.toString())
        + "\n";
  }

  private static String stopLine(Path pgCtl, Path dataDirectory, String mode) {
    return PostgresCommands.shellLine(
        PostgresCommands.pgCtlStop(pgCtl, dataDirectory, mode, STOP_TIMEOUT_SECONDS));
  }
}
