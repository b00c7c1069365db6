package dev.orderservice.server.lifecycle;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a server in the order they were started, stopped in reverse: whoever starts a part
 * says right there how it stops ({@link #onClose}), so start-up and shutdown are one list read in
 * two directions, and a start that fails half-way stops exactly what it had started.
 *
 * <p>{@link #close()} runs every stop once, in reverse order, each logged as {@code shutdown:
 * NAME}; a stop that fails or is interrupted is logged and the next one runs. Stops that wait (for
 * a batch to commit, for requests in flight) take their bound from {@link #remainingMillis}, so
 * that together they stay within the budget given at construction.
 *
 * <p>Thread safe: {@link #onClose} is called by the starting thread, {@link #close()} from any
 * thread, once; a second call does nothing.
 */
public final class Lifecycle implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Duration budget;
  private final Deque<NamedStop> stops = new ArrayDeque<>();
  private boolean closed;
  private long deadlineNanos;

  /**
   * @param budget the most the waiting stops take together
   */
  public Lifecycle(Duration budget) {
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  /** A way to stop a part; it may block. */
  @FunctionalInterface
  public interface Stop {
    void run() throws Exception;
  }

  /**
   * Registers how the part just started stops; stops run in the reverse order of registration.
   *
   * @throws IllegalStateException if the lifecycle is already closed (the part is stopped at once)
   */
  public void onClose(String name, Stop stop) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stop, "stop");
    synchronized (stops) {
      if (!closed) {
        stops.push(new NamedStop(name, stop));
        return;
      }
    }
    run(name, stop);
    throw new IllegalStateException("closed while starting; stopped " + name + " again");
  }

  /**
   * What is left of the budget for a stop that waits, at most {@code cap}, at least 1 ms.
   * Meaningful during {@link #close()}.
   */
  public long remainingMillis(Duration cap) {
    long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000;
    return Math.max(1, Math.min(remaining, cap.toMillis()));
  }

  /** Runs every registered stop, last registered first. Idempotent. */
  @Override
  public void close() {
    synchronized (stops) {
      if (closed) {
        return;
      }
      closed = true;
      deadlineNanos = System.nanoTime() + budget.toNanos();
    }
    long started = System.nanoTime();
    while (true) {
      NamedStop next;
      synchronized (stops) {
        next = stops.poll();
      }
      if (next == null) {
        break;
      }
      run(next.name(), next.stop());
    }
    LOG.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  private static void run(String name, Stop stop) {
    long started = System.nanoTime();
    LOG.info("shutdown: {}", name);
    try {
      stop.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("shutdown: {} interrupted", name);
    } catch (Exception e) {
      LOG.warn("shutdown: {} failed: {}", name, e.toString());
    }
    LOG.debug("shutdown: {} took {} ms", name, (System.nanoTime() - started) / 1_000_000);
  }

  private record NamedStop(String name, Stop stop) {}
}
