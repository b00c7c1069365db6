package dev.orderservice.server;

import dev.orderservice.server.lifecycle.DaemonThreads;
import dev.orderservice.server.lifecycle.Lifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that run the database work of HTTP requests, and how many of the {@code DB_POOL_SIZE}
 * connections each kind of request may hold at once: the searches ({@link #searchers}) have a pool
 * of their own, whose connections plan each search once ({@code OrderDatabase.searchPool}); the
 * rest ({@link #sharedConnections}) is shared by the ingest, the cache misses ({@link
 * #missReaders}) and the other requests (uploads, erasures, exports: the workers). So a
 * storefront's searches at full load never make the ingest wait for a connection.
 */
final class RequestThreads {

  /** The most requests of a kind that wait for a thread; beyond, they are answered 503. */
  static final int QUEUE = 1_000;

  private RequestThreads() {}

  /**
   * Threads that run JDBC for the requests that are neither misses nor searches; their sizes and
   * queues are metered as {@code executor_*{name="order-http-worker"}}.
   */
  static ThreadPoolExecutor workers(int poolSize, Lifecycle lifecycle, MeterRegistry meters) {
    return started("order-http-worker", poolSize, "stop the HTTP workers", lifecycle, meters);
  }

  /**
   * Threads that run searches: {@link #searchers} of them, each with one connection at a time;
   * metered as {@code executor_*{name="order-search"}} (e.g. {@code executor_pool_max_threads}: how
   * many searches run at once; {@code executor_queued_tasks}: how many wait).
   */
  static ThreadPoolExecutor searches(
      int poolSize, int cores, Lifecycle lifecycle, MeterRegistry meters) {
    return started(
        "order-search", searchers(poolSize, cores), "stop the search threads", lifecycle, meters);
  }

  /**
   * How many threads read cache misses: half the pool, but no more than there are cores. A reader
   * spends its time on CPU (its query's round trip, then writing the answers), so readers beyond
   * the cores only cut the misses into smaller batches: more queries for the same lookups, more
   * work for PostgreSQL on the same cores, more threads waking one another. Measured on 2 cores,
   * pool of 8 ({@code bench/run read}): 4 readers read about 10 misses a query, 2 readers 15 to 20.
   */
  static int missReaders(int poolSize, int cores) {
    return Math.max(1, Math.min(poolSize / 2, cores));
  }

  /**
   * How many searches run at once, each on its own connection: a quarter of the pool, at least one,
   * but no more than there are cores. A search is a round trip to PostgreSQL and a page of JSON,
   * all CPU on one side or the other, so more of them at once than cores only queue on the cores
   * (and in PostgreSQL) instead of here, and take connections the ingest needs. With the default
   * pool of 8 on 2 cores: 2 searches, 2 miss readers, and the rest for the ingest and the workers.
   */
  static int searchers(int poolSize, int cores) {
    return Math.max(1, Math.min(poolSize / 4, cores));
  }

  /**
   * The connections of the pool the ingest, the misses and the workers share: what the searches do
   * not hold, but never fewer than 2 (the ingest and the lookups each need one).
   */
  static int sharedConnections(int poolSize, int cores) {
    return Math.max(2, poolSize - searchers(poolSize, cores));
  }

  private static ThreadPoolExecutor started(
      String name, int threads, String stop, Lifecycle lifecycle, MeterRegistry meters) {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            DaemonThreads.named(name));
    new ExecutorServiceMetrics(executor, name, Tags.empty()).bindTo(meters);
    lifecycle.onClose(
        stop,
        () -> {
          executor.shutdown();
          executor.awaitTermination(
              lifecycle.remainingMillis(Duration.ofSeconds(2)), TimeUnit.MILLISECONDS);
        });
    return executor;
  }
}
