package dev.orderservice.testsupport;

import dev.orderservice.devstack.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crashes an {@link EmbeddedPostgres} as a lost machine would: no shutdown, no checkpoint, no last
 * word to clients or standbys. Stateless.
 */
public final class PostgresCrash {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresCrash.class);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);

  private PostgresCrash() {}

  /**
   * Sends SIGKILL to the server's postmaster (the PID in its {@code postmaster.pid}) and to every
   * process it had started (backends, WAL writer, WAL senders), waits until all are gone, then
   * marks the instance stopped ({@code stop()} finds no server to stop). It is never started again
   * by the tests that crash it: its unflushed work is lost with it.
   *
   * @return the postmaster's PID
   * @throws IllegalStateException if the server is not running or a process does not exit in 10 s
   */
  public static long sigkill(EmbeddedPostgres server) {
    if (!server.isRunning()) {
      throw new IllegalStateException(server + " is not running");
    }
    long pid = postmasterPid(server.dataDirectory());
    ProcessHandle postmaster =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("no process " + pid + " for " + server));
    // Taken first: once the postmaster is gone its children belong to another parent.
    List<ProcessHandle> children = postmaster.descendants().toList();
    postmaster.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    awaitExit(postmaster);
    children.forEach(PostgresCrash::awaitExit);
    server.stop();
    LOG.info("killed PostgreSQL on port {} (PID {}) with SIGKILL", server.port(), pid);
    return pid;
  }

  private static long postmasterPid(Path dataDirectory) {
    try {
      List<String> lines =
          Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return Long.parseLong(lines.get(0).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("no postmaster.pid in " + dataDirectory, e);
    }
  }

  /**
   * Waits for the process to be gone; an exited zombie counts as gone (its new parent may never
   * reap it, so {@link ProcessHandle#onExit()} could wait forever).
   */
  private static void awaitExit(ProcessHandle process) {
    long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
    while (isRunning(process.pid())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("PID " + process.pid() + " did not exit after SIGKILL");
      }
      try {
        // Polling interval within the deadline: a process that is not our child gives no event
        // to wait on, and a zombie never completes onExit(); Awaitility is for tests only.
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for PID " + process.pid(), e);
      }
    }
  }

  private static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // "pid (comm) S ...": the state follows the last ')'.
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
