package dev.orderservice.ingest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The ingests a test started, each on a thread of its own, as a runner would run them. Closing
 * closes every ingest and waits for their threads.
 */
final class RunningIngests implements AutoCloseable {

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<OrderIngest> ingests = new CopyOnWriteArrayList<>();

  /** Runs {@code ingest} on its own thread; the future ends when {@code run()} does. */
  Future<?> start(OrderIngest ingest) {
    ingests.add(ingest);
    return executor.submit(ingest);
  }

  @Override
  public void close() throws InterruptedException {
    ingests.forEach(OrderIngest::close);
    executor.shutdownNow();
    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("an ingest thread did not stop within 30 s");
    }
  }
}
