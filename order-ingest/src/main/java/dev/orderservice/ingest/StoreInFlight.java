package dev.orderservice.ingest;

import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStoreException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of one batch at a time, run on the store executor while the ingest thread goes on
 * polling: started, then looked at or waited for, and its outcome taken once. What the store wrote
 * into its batch is read only after {@link #takeOutcome()}.
 *
 * <p>Not thread safe: used by the ingest thread only. The store runs on the executor: one task,
 * which stores one of the batch's groups itself and waits for the others, each a task of its own on
 * the same executor.
 */
final class StoreInFlight {

  // The component's logger, not this class's: operators set one logger's level for the ingest.
  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  /**
   * While a store runs, how long the ingest thread waits for it to end before it polls (without
   * waiting) for the records that arrived meanwhile: the store's end is acted on at once, and what
   * arrives during a store joins the next batch within this much.
   */
  static final Duration GATHER_WHILE_STORING = Duration.ofMillis(2);

  private final OrderService service;
  private final Executor executor;
  private final Runnable afterStore;
  private Future<?> running;
  private Batch batch;

  /**
   * @param afterStore runs on the store's thread after each batch is stored (a test hook)
   */
  StoreInFlight(OrderService service, Executor executor, Runnable afterStore) {
    this.service = service;
    this.executor = executor;
    this.afterStore = afterStore;
  }

  /** Whether a store is in flight: running, or ended with its outcome not yet taken. */
  boolean isActive() {
    return running != null;
  }

  /** Whether the store in flight is {@code batch}'s. */
  boolean isOf(Batch batch) {
    return running != null && this.batch == batch;
  }

  /** Whether the store in flight has ended. */
  boolean isDone() {
    return running.isDone();
  }

  /** Stores {@code batch} on the executor: the database and the cache. None may be in flight. */
  void start(Batch batch) {
    batch.seal(); // here, on the ingest thread: it takes no more records from now on
    FutureTask<Void> store =
        new FutureTask<>(
            () -> {
              batch.store(service, executor);
              afterStore.run();
              return null;
            });
    this.batch = batch;
    running = store;
    executor.execute(store);
  }

  /** Waits for the store in flight to end; its outcome is left for {@link #takeOutcome}. */
  void await() {
    try {
      running.get();
    } catch (ExecutionException e) {
      // taken by takeOutcome()
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  /**
   * Waits at most {@code timeout} for the store in flight to end, however it ends; its outcome is
   * left for {@link #takeOutcome}.
   */
  void awaitAtMost(Duration timeout) {
    try {
      running.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // ended badly (taken by takeOutcome()), or still running
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  /**
   * Waits at most {@code timeout} for the store in flight to end; its outcome is left for {@link
   * #takeOutcome}, though a failure also ends the wait with an {@link ExecutionException}.
   */
  void await(Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
    running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Ends the store in flight (it has ended or is waited for) and throws what it threw: a transient
   * {@link OrderStoreException} to retry, or an unexpected failure that ends the ingest.
   */
  void takeOutcome() {
    await();
    Future<?> done = running;
    running = null;
    batch = null;
    try {
      done.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("storing a batch failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  /**
   * Lets a store in flight end before partitions move, and takes its outcome: a batch it failed to
   * store stays unstored, to be abandoned.
   */
  void endBeforeRebalance() {
    if (running == null) {
      return;
    }
    try {
      takeOutcome();
    } catch (OrderStoreException e) {
      LOG.info("the batch in hand was not stored before the rebalance: {}", e.toString());
    }
  }

  /** Lets a store in flight end, for it may still be writing, and forgets its outcome. */
  void abandon() {
    if (running != null) {
      await();
      running = null;
      batch = null;
    }
  }

  /**
   * Interrupts a store still in flight when the ingest stops (after an unexpected failure, or a
   * close that did not wait for it); its batch is not committed and will be read again.
   */
  void cancel() {
    if (running != null) {
      running.cancel(true);
    }
  }
}
