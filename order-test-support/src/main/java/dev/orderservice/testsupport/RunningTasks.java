package dev.orderservice.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The tasks a test started, each on a thread of its own, as a runner would run them: anything that
 * runs until it is closed, such as an {@code OrderIngest}. Closing closes every task and waits for
 * its thread.
 *
 * <p>Thread safe: tasks may be started from any thread. Close it once, when the test is done.
 */
public final class RunningTasks implements AutoCloseable {

  private static final long STOP_SECONDS = 30;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<AutoCloseable> tasks = new CopyOnWriteArrayList<>();

  /** A {@code RunningTasks} that runs {@code task}, for a try-with-resources of one task. */
  public static <T extends Runnable & AutoCloseable> RunningTasks of(T task) {
    RunningTasks running = new RunningTasks();
    running.start(task);
    return running;
  }

  /** Runs {@code task} on a thread of its own; the future ends when {@code run()} does. */
  public <T extends Runnable & AutoCloseable> Future<?> start(T task) {
    tasks.add(task);
    return executor.submit(task);
  }

  /**
   * Closes every task, then waits for their threads (interrupting what still runs).
   *
   * @throws IllegalStateException if a task could not be closed, or a thread did not stop in time
   *     (30 s)
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public void close() throws InterruptedException {
    IllegalStateException failure = null;
    for (AutoCloseable task : tasks) {
      try {
        task.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("could not close " + task, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    executor.shutdownNow();
    if (!executor.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("a task's thread did not stop within " + STOP_SECONDS + " s");
    }
    if (failure != null) {
      throw failure;
    }
  }
}
