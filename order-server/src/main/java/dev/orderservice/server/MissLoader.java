package dev.orderservice.server;

import dev.orderservice.domain.OrderStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the orders that lookups missed in the cache, many per query: a lookup is queued, and each
 * of a few loader threads takes whatever is queued when it is free (up to {@code maxBatch} uids)
 * and reads them with one {@link OrderStore#findJsonAll}. Under load, requests that arrive while a
 * read runs share the next one, so the database answers one query per batch instead of one per
 * request, and no thread waits for the database per request; with no load a lookup is read at once,
 * alone.
 *
 * <p>Callbacks run on a loader thread. Thread safe; {@link #close()} stops the loaders after the
 * lookups already queued are answered.
 */
final class MissLoader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MissLoader.class);

  private final OrderStore store;
  private final int maxBatch;
  private final BlockingQueue<Lookup> queue;
  private final List<Thread> loaders = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param loaders how many reads may run at once (each holds a database connection meanwhile)
   * @param maxBatch the most uids one read asks for
   * @param queueCapacity lookups that may wait; more are refused
   */
  MissLoader(OrderStore store, int loaders, int maxBatch, int queueCapacity) {
    this.store = Objects.requireNonNull(store, "store");
    this.maxBatch = maxBatch;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    for (int i = 1; i <= loaders; i++) {
      Thread thread = new Thread(this::loop, "order-miss-loader-" + i);
      thread.setDaemon(true);
      this.loaders.add(thread);
      thread.start();
    }
  }

  /** What becomes of one lookup. */
  interface Answer {
    /** The stored JSON, or empty if no such order is stored. */
    void found(Optional<byte[]> json);

    /** The read failed, e.g. a transient {@code OrderStoreException}. */
    void failed(RuntimeException failure);
  }

  /**
   * Queues a lookup; {@code answer} is called once, on a loader thread.
   *
   * @throws RejectedExecutionException if the queue is full or the loader is closed
   */
  void load(String orderUid, Answer answer) {
    if (closed.get() || !queue.offer(new Lookup(orderUid, answer))) {
      throw new RejectedExecutionException("too many lookups waiting for the database");
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Thread loader : loaders) {
      loader.interrupt();
    }
    for (Thread loader : loaders) {
      try {
        loader.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void loop() {
    List<Lookup> batch = new ArrayList<>(maxBatch);
    while (true) {
      try {
        Lookup first = closed.get() ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          if (closed.get()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        answer(batch);
      } catch (InterruptedException e) {
        // close(): answer what is queued, then stop
      } finally {
        batch.clear();
      }
    }
  }

  private void answer(List<Lookup> batch) {
    Set<String> uids = new LinkedHashSet<>();
    batch.forEach(lookup -> uids.add(lookup.orderUid()));
    Map<String, byte[]> found;
    try {
      found = store.findJsonAll(uids);
    } catch (RuntimeException e) {
      batch.forEach(lookup -> lookup.answer().failed(e));
      return;
    }
    for (Lookup lookup : batch) {
      try {
        lookup.answer().found(Optional.ofNullable(found.get(lookup.orderUid())));
      } catch (RuntimeException e) {
        LOG.warn("answering a lookup failed: {}", e.toString());
      }
    }
  }

  private record Lookup(String orderUid, Answer answer) {}
}
