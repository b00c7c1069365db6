package dev.orderservice.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs PostgreSQL's command line programs ({@code initdb}, {@code pg_ctl}) and is the single place
 * that decides how they are launched. Stateless apart from a cached uid; safe from any thread.
 */
final class PostgresCommands {

  /**
   * Uid used inside the user namespace when we are root. Any non-zero uid works; 1000 is the
   * conventional first user and is what was tested on the build machines.
   */
  private static final int UNPRIVILEGED_UID = 1000;

  private static final boolean RUNNING_AS_ROOT = currentUid() == 0;

  /** How long {@code initdb}, {@code pg_ctl start} and {@code pg_ctl stop} may take at most. */
  static final long TIMEOUT_SECONDS = 120;

  private PostgresCommands() {}

  /**
   * The command line to execute for {@code command}.
   *
   * <p>Why the prefix: {@code initdb} and {@code postgres} refuse to run as uid 0 (a deliberate
   * PostgreSQL safety check with no override), and CI and dev containers here run as root. {@code
   * unshare --user --map-user=1000 --map-group=1000} starts the program in a new user namespace
   * where it <em>is</em> uid 1000, which satisfies the check, while the kernel still maps that uid
   * to root outside: files it creates are owned by root, and it can use the root-owned data and
   * binary directories we prepared. No extra account, no chown, no sudo. The postmaster started by
   * {@code pg_ctl} stays in that namespace for its whole life, and a later {@code pg_ctl stop} from
   * a fresh namespace can still signal it because both map to the same real uid. When we are not
   * root, the programs run directly.
   */
  static List<String> commandLine(List<String> command) {
    if (!RUNNING_AS_ROOT) {
      return List.copyOf(command);
    }
    List<String> wrapped = new ArrayList<>(command.size() + 4);
    wrapped.add("unshare");
    wrapped.add("--user");
    wrapped.add("--map-user=" + UNPRIVILEGED_UID);
    wrapped.add("--map-group=" + UNPRIVILEGED_UID);
    wrapped.addAll(command);
    return wrapped;
  }

  static boolean runningAsRoot() {
    return RUNNING_AS_ROOT;
  }

  /**
   * {@code pg_ctl stop} of the server on {@code dataDirectory} in {@code mode} ({@code fast}: roll
   * back open transactions; {@code immediate}: no shutdown checkpoint, crash recovery on the next
   * start), waiting up to {@code timeoutSeconds} for the server to exit.
   */
  static List<String> pgCtlStop(Path pgCtl, Path dataDirectory, String mode, long timeoutSeconds) {
    return List.of(
        pgCtl.toString(),
        "stop",
        "-D",
        dataDirectory.toString(),
        "-m",
        mode,
        "-w",
        "-t",
        Long.toString(timeoutSeconds));
  }

  /**
   * {@link #commandLine(List)} as one line for {@code /bin/sh}, every word single-quoted, for
   * scripts that run a PostgreSQL program later, without us (the watchdog).
   */
  static String shellLine(List<String> command) {
    StringBuilder line = new StringBuilder();
    for (String word : commandLine(command)) {
      line.append(line.length() == 0 ? "" : " ").append(shellQuote(word));
    }
    return line.toString();
  }

  /** {@code value} as one single-quoted word for {@code /bin/sh}. */
  static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** Exit code and combined stdout/stderr of a finished command. */
  record Result(int exitCode, String output) {
    boolean succeeded() {
      return exitCode == 0;
    }
  }

  /**
   * Runs a PostgreSQL program to completion, blocking at most {@code timeoutSeconds}.
   *
   * <p>Output goes to a file, not a pipe: {@code pg_ctl start} leaves a postmaster behind, and a
   * pipe inherited by that long-lived grandchild could keep a reader blocked forever.
   */
  static Result run(List<String> command, Path outputFile, long timeoutSeconds) {
    List<String> line = commandLine(command);
    ProcessBuilder builder =
        new ProcessBuilder(line)
            .redirectErrorStream(true)
            .redirectOutput(outputFile.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
    scrubEnvironment(builder.environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new DevstackException(
          "could not run "
              + line
              + ": "
              + e.getMessage()
              + (RUNNING_AS_ROOT ? " (running as root needs 'unshare' from util-linux)" : ""),
          e);
    }
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new DevstackException(
            "timed out after "
                + timeoutSeconds
                + " s: "
                + line
                + "\n"
                + DevstackFiles.tail(outputFile, 0, DevstackFiles.TAIL_BYTES));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while running " + line, e);
    }
    return new Result(
        process.exitValue(), DevstackFiles.tail(outputFile, 0, DevstackFiles.TAIL_BYTES));
  }

  /**
   * Drops libpq/server variables inherited from the caller's shell ({@code PGDATA}, {@code
   * PGOPTIONS}, ...) so a developer's environment cannot silently change the server we start, and
   * pins the locale so initdb does not depend on the machine's.
   */
  static void scrubEnvironment(Map<String, String> env) {
    env.keySet().removeIf(name -> name.startsWith("PG"));
    env.put("LC_ALL", "C");
    env.put("LANG", "C");
  }

  /** Effective uid from /proc (no extra process); falls back to {@code id -u}. */
  private static int currentUid() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          // Fields: real, effective, saved, filesystem.
          return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Fall through to the slower but portable way.
    }
    try {
      Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String out =
          new String(id.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .trim();
      id.waitFor(10, TimeUnit.SECONDS);
      return Integer.parseInt(out);
    } catch (IOException | RuntimeException e) {
      // Unknown: assume not root, then PostgreSQL's own check reports the problem clearly.
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
