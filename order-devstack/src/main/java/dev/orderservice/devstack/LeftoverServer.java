package dev.orderservice.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears what a JVM that died left in a data directory before a new server starts there, so that a
 * start after a crash never fails because of it and never needs a second try.
 *
 * <p>Decisions, each logged in one line:
 *
 * <ul>
 *   <li>The {@link ServerOwner} record names a JVM that still runs: the directory is in use; the
 *       start is refused ({@link DevstackException}) and nothing is touched.
 *   <li>It names a dead JVM whose watchdog still runs (it is stopping the server right now, or is
 *       stuck): the watchdog gets a few seconds to finish and is killed if it does not, so that it
 *       cannot act on the server we start next.
 *   <li>{@code postmaster.pid} names a PID no process has: left as it is; PostgreSQL replaces such
 *       a lock file by itself, and first checks that no old backend still uses the shared memory.
 *   <li>It names a running PostgreSQL of this data directory (its {@code -D} argument or working
 *       directory is this directory): a server left behind; stopped with {@code pg_ctl stop -m
 *       fast}, then {@code -m immediate} if need be.
 *   <li>It names some other process (the PID was reused), an exited zombie, or no PID at all: the
 *       file is stale and PostgreSQL would refuse to start because of it; removed.
 * </ul>
 *
 * <p>Stateless; blocks while it stops a server (bounded by the stop command's timeout).
 */
final class LeftoverServer {

  static final String PID_FILE = "postmaster.pid";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  /**
   * How long the watchdog of a dead JVM may take to finish its stop: it acts within milliseconds of
   * the death, and a fast shutdown of a dev server takes well under a second.
   */
  private static final Duration WATCHDOG_GRACE = Duration.ofSeconds(3);

  private LeftoverServer() {}

  /**
   * Makes {@code dataDirectory} ready for a start, as described in the class comment.
   *
   * @param stop runs {@code pg_ctl stop} on the directory in the given mode ({@code fast}, {@code
   *     immediate}) and waits for the result
   * @throws DevstackException if a live JVM owns the directory, or a left-over server cannot be
   *     stopped, or a stale lock file cannot be removed
   */
  static void clear(Path dataDirectory, Function<String, PostgresCommands.Result> stop) {
    Optional<ServerOwner> owner = ServerOwner.readFrom(dataDirectory);
    if (owner.isPresent() && owner.get().jvm().isAlive()) {
      throw new DevstackException(
          "PostgreSQL data directory "
              + dataDirectory
              + " is in use by "
              + (owner.get().jvm().equals(LocalProcess.current())
                  ? "another EmbeddedPostgres of this JVM"
                  : "the JVM with " + owner.get().jvm() + ", which is still running")
              + "; two servers cannot share a data directory, so stop that one first");
    }
    String watchdogNote = owner.map(LeftoverServer::endWatchdogOfDeadJvm).orElse("");
    Path pidFile = dataDirectory.resolve(PID_FILE);
    if (!Files.exists(pidFile)) {
      if (!watchdogNote.isEmpty()) {
        LOG.info("data directory {}: no server left running{}", dataDirectory, watchdogNote);
      }
      return;
    }
    Optional<Long> pid = firstLineAsPid(pidFile);
    Optional<LocalProcess> process = pid.flatMap(LocalProcess::running);
    if (pid.isPresent() && ProcessHandle.of(pid.get()).isEmpty()) {
      LOG.info(
          "{} in {} names PID {}, which is not running (a crash left it); PostgreSQL replaces it"
              + " on start{}",
          PID_FILE,
          dataDirectory,
          pid.get(),
          watchdogNote);
    } else if (process.isPresent() && isServerOf(process.get(), dataDirectory)) {
      stopLeftover(dataDirectory, process.get(), owner, watchdogNote, stop);
    } else {
      // PostgreSQL would refuse to start: it only replaces a lock file whose PID is free.
      delete(pidFile);
      LOG.warn(
          "removed a stale {} from {}: {}{}",
          PID_FILE,
          dataDirectory,
          staleBecause(pid, process),
          watchdogNote);
    }
  }

  /**
   * Whether the {@code postmaster.pid} of {@code dataDirectory} names a process that still runs (an
   * exited zombie does not).
   */
  static boolean postmasterRunning(Path dataDirectory) {
    return firstLineAsPid(dataDirectory.resolve(PID_FILE))
        .map(LocalProcess::isRunning)
        .orElse(false);
  }

  /**
   * Whether {@code process} is a PostgreSQL server whose data directory is {@code dataDirectory}: a
   * {@code postgres} program started with {@code -D} naming it, or working in it (the postmaster
   * changes into its data directory; a backend's title starts with "postgres:" and does not match).
   */
  private static boolean isServerOf(LocalProcess process, Path dataDirectory) {
    List<String> arguments = process.commandLine();
    if (arguments.isEmpty() || !fileName(arguments.get(0)).equals("postgres")) {
      return false;
    }
    for (int i = 0; i < arguments.size(); i++) {
      String argument = arguments.get(i);
      if (argument.equals("-D") && i + 1 < arguments.size()) {
        return isSameDirectory(Path.of(arguments.get(i + 1)), dataDirectory);
      }
      if (argument.startsWith("-D") && argument.length() > 2) {
        return isSameDirectory(Path.of(argument.substring(2)), dataDirectory);
      }
    }
    return process
        .workingDirectory()
        .map(directory -> isSameDirectory(directory, dataDirectory))
        .orElse(false);
  }

  private static void stopLeftover(
      Path dataDirectory,
      LocalProcess server,
      Optional<ServerOwner> owner,
      String watchdogNote,
      Function<String, PostgresCommands.Result> stop) {
    long started = System.nanoTime();
    String mode = "fast";
    PostgresCommands.Result result = stop.apply(mode);
    if (!result.succeeded() && server.isAlive()) {
      mode = "immediate";
      result = stop.apply(mode);
    }
    if (!result.succeeded() && server.isAlive()) {
      throw new DevstackException(
          "PostgreSQL ("
              + server
              + ") was left running on "
              + dataDirectory
              + " by "
              + describe(owner)
              + ", and pg_ctl could not stop it (exit "
              + result.exitCode()
              + ")\n--- pg_ctl output ---\n"
              + result.output());
    }
    LOG.warn(
        "stopped PostgreSQL ({}) left running on {} by {} ({} shutdown, {} ms){}; starting afresh",
        server,
        dataDirectory,
        describe(owner),
        mode,
        (System.nanoTime() - started) / 1_000_000,
        watchdogNote);
  }

  /**
   * Lets the watchdog of a dead owner finish (it is normally stopping the server right now, and
   * deletes the dead JVM's work directory after that), and kills it if it does not. Either way it
   * is gone before we start a server it could stop. A note for the log line, or "".
   */
  private static String endWatchdogOfDeadJvm(ServerOwner owner) {
    if (owner.watchdog().awaitExit(WATCHDOG_GRACE)) {
      return "";
    }
    boolean gone = owner.watchdog().killWithDescendants(WATCHDOG_GRACE);
    return "; killed the dead JVM's watchdog ("
        + owner.watchdog()
        + (gone ? ")" : ", which still did not exit)")
        + " after waiting "
        + WATCHDOG_GRACE.toSeconds()
        + " s for it to finish";
  }

  private static String staleBecause(Optional<Long> pid, Optional<LocalProcess> process) {
    if (pid.isEmpty()) {
      return "it names no PID (torn by a crash)";
    }
    if (process.isEmpty()) {
      return "its PID " + pid.get() + " is a process that exited (a zombie nobody reaped)";
    }
    return "its PID "
        + pid.get()
        + " now belongs to another process ("
        + process.get().commandLine().stream().findFirst().orElse("?")
        + "), not to a PostgreSQL of this data directory";
  }

  private static String describe(Optional<ServerOwner> owner) {
    return owner
        .map(o -> "the dead JVM with " + o.jvm())
        .orElse("an unknown owner, no " + ServerOwner.FILE_NAME + " file");
  }

  private static Optional<Long> firstLineAsPid(Path pidFile) {
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).strip());
      return pid > 0 ? Optional.of(pid) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static void delete(Path pidFile) {
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      throw new DevstackException("could not remove the stale " + pidFile + ": " + e, e);
    }
  }

  private static String fileName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  private static boolean isSameDirectory(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }
}
