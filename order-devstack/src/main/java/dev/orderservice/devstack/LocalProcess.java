package dev.orderservice.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A process on this machine, named by its PID and its start time, so that a PID the kernel has
 * since given to another process is not mistaken for it. Read from {@code /proc}; Linux only, like
 * the PostgreSQL binaries this module ships. Immutable; safe from any thread.
 *
 * @param pid the process id
 * @param started when the process started; {@link Instant#EPOCH} if the platform does not tell, in
 *     which case only the PID is compared
 */
record LocalProcess(long pid, Instant started) {

  /** The process behind {@code handle}, as it is now. */
  static LocalProcess of(ProcessHandle handle) {
    return new LocalProcess(handle.pid(), handle.info().startInstant().orElse(Instant.EPOCH));
  }

  /** This JVM. */
  static LocalProcess current() {
    return of(ProcessHandle.current());
  }

  /** The running process with this PID, if there is one (an exited zombie is not). */
  static Optional<LocalProcess> running(long pid) {
    return ProcessHandle.of(pid).filter(h -> isRunning(h.pid())).map(LocalProcess::of);
  }

  /** Whether this very process still runs: same PID, same start time, and not an exited zombie. */
  boolean isAlive() {
    return handle().isPresent();
  }

  /**
   * The process's arguments, {@code argv[0]} first; empty if it is gone, is a zombie, or hides
   * them.
   */
  List<String> commandLine() {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      List<String> arguments = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          arguments.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      if (start < raw.length) {
        arguments.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
      }
      return List.copyOf(arguments);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The process's working directory, if it is alive and we may look (same user, or root). */
  Optional<Path> workingDirectory() {
    try {
      return Optional.of(Path.of("/proc", Long.toString(pid), "cwd").toRealPath());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Waits up to {@code timeout} for the process to be gone (an exited zombie counts as gone).
   *
   * @return whether it is gone
   */
  boolean awaitExit(Duration timeout) {
    // Not ProcessHandle.onExit(): for a process that is not our child it polls every 300+ ms, and
    // it counts the zombie left until the process's new parent reaps it as alive.
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isAlive() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return !isAlive();
  }

  /**
   * Kills the process and everything it started that still runs (SIGKILL, children first so that
   * none is left to act on the parent's death), and waits up to {@code timeout} for the process to
   * be gone. Does nothing if it is gone already.
   *
   * @return whether the process is gone
   */
  boolean killWithDescendants(Duration timeout) {
    Optional<ProcessHandle> handle = handle();
    if (handle.isEmpty()) {
      return true;
    }
    handle.get().descendants().forEach(ProcessHandle::destroyForcibly);
    handle.get().destroyForcibly();
    return awaitExit(timeout);
  }

  @Override
  public String toString() {
    return "PID " + pid;
  }

  private Optional<ProcessHandle> handle() {
    return ProcessHandle.of(pid)
        .filter(h -> isRunning(pid))
        .filter(
            h ->
                started.equals(Instant.EPOCH)
                    || h.info().startInstant().map(started::equals).orElse(true));
  }

  /**
   * Whether {@code pid} is a process that has not exited. {@link ProcessHandle#isAlive()} alone
   * counts a zombie (exited, not yet reaped by its parent) as alive; a PostgreSQL that exited under
   * a parent that does not reap is still gone for our purposes.
   */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
      int end = stat.lastIndexOf(')');
      if (end < 0 || end + 2 >= stat.length()) {
        return false;
      }
      char state = stat.charAt(end + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
