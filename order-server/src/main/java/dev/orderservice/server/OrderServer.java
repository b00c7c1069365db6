package dev.orderservice.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cache.CacheWarmUp;
import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderLookup;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderSearch;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.persistence.StoredOrdersListener;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order service, assembled: PostgreSQL (configured or embedded), migrations, the store, the
 * cache and its background warm-up, the use cases, the Kafka ingest on its own thread, and the
 * live feed (a listener on a connection of its own hears every order any instance stores, and
 * {@link LiveOrders} fans them out to streams and polls), and the HTTP API on Undertow.
 *
 * <p>{@link #start} returns once HTTP listens; requests are served from then on, while the cache
 * still warms up (misses read through to the database). {@link #close()} shuts down gracefully,
 * in order: stop accepting HTTP requests (new ones are answered 503), end the live streams and
 * answer the waiting polls, close the ingest (it commits what is done), stop the live feed's
 * listener, drain the requests in flight, stop Undertow, the workers, the lookup readers, the
 * cache, the pool and the embedded servers; each step logged. The steps that wait (the ingest's
 * last batch, the requests in flight, the workers) share a budget of {@link #SHUTDOWN_TIMEOUT};
 * the rest only close what is idle. Thread safe: {@code close()} is idempotent and may be called
 * from any thread.
 */
public final class OrderServer implements AutoCloseable {

  /** The most the waiting steps of a graceful shutdown take together. */
  public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

  /** Requests waiting for a worker, or lookups for a read, before new ones get 503. */
  static final int HTTP_WORKER_QUEUE = 1_000;
  /** How often the database is checked for the readiness gauge ({@code order_service_ready}). */
  static final Duration HEALTH_CHECK_EVERY = Duration.ofSeconds(10);
  /** The most cache misses read in one query. */
  static final int MISS_BATCH = 64;
  /** How long start waits for an unreachable database before it gives up. */
  static final Duration DATABASE_WAIT = Duration.ofSeconds(60);
  static final Duration INGEST_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  static final Duration HTTP_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(OrderServer.class);

  private final ServerConfig config;
  private final Object lifecycle = new Object();
  private boolean closed;

  // Set by start(), in this order; close() releases whatever was set, in reverse.
  private BackingServices backing;
  private HikariDataSource pool;
  private EhcacheOrderCache cache;
  private ExecutorService warmUpThread;
  private StoredOrdersListener storedOrders;
  private LiveStream liveStream;
  private LivePolls livePolls;
  private OrderIngest ingest;
  private Thread ingestThread;
  private PrometheusMeterRegistry meters;
  private JvmGcMetrics gcMeters;
  private ScheduledExecutorService healthChecks;
  private ThreadPoolExecutor workers;
  private ExecutorService missReaders;
  private OrderLookup lookup;
  private GracefulShutdownHandler graceful;
  private Undertow undertow;
  private int httpPort;

  private OrderServer(ServerConfig config) {
    this.config = config;
  }

  /**
   * Starts everything and returns once HTTP listens.
   *
   * @throws RuntimeException if a part cannot start (an embedded server, the database within
   *     {@link #DATABASE_WAIT}, the HTTP port); what was started is closed again
   */
  public static OrderServer start(ServerConfig config) {
    OrderServer server = new OrderServer(config);
    try {
      server.startAll();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void startAll() {
    LOG.info("starting with {}", config);
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvmMeters();
    backing = BackingServices.start(config);
    pool = OrderDatabase.pool(backing.jdbcUrl(), config.dbPoolSize(), "order-server", meters);
    migrateWhenReachable();
    PostgresOrderStore store = new PostgresOrderStore(pool);
    cache = EhcacheOrderCache.builder()
        .maxEntries(config.cacheMaxEntries())
        .meterRegistry(meters)
        .build();
    OrderCodec codec = config.ignoreUnknownFields()
        ? OrderCodec.builder().ignoreUnknownFields(true).build()
        : OrderCodec.standard();
    OrderService service = new OrderService(
        store, cache, new OrderValidator(), codec, new IgnoredFieldsLog(meters));
    warmUpThread = Executors.newSingleThreadExecutor(daemonThreads("order-cache-warmup"));
    CacheWarmUp warmUp = CacheWarmUp.start(store, cache, warmUpThread);
    warmUp.bindTo(meters);
    // Before the ingest, so that the feed hears the first order it stores.
    LiveOrders feed = new LiveOrders();
    feed.bindTo(meters);
    storedOrders = LiveFeedListener.start(backing.jdbcUrl(), feed, meters);
    liveStream = new LiveStream(feed, config.streamHeartbeat());
    liveStream.bindTo(meters);
    livePolls = new LivePolls(feed);
    livePolls.bindTo(meters);
    OrderIngest.Builder ingestBuilder = OrderIngest.builder()
        .bootstrapServers(backing.kafkaBootstrapServers())
        .topic(config.kafkaTopic())
        .deadLetterTopic(config.kafkaDeadLetterTopic())
        .groupId(config.kafkaGroup())
        .sessionTimeout(config.kafkaSessionTimeout())
        .service(service)
        .meterRegistry(meters)
        .closeTimeout(INGEST_CLOSE_TIMEOUT);
    config.kafkaInstanceId().ifPresent(ingestBuilder::groupInstanceId);
    ingest = ingestBuilder.build();
    ingestThread = daemonThreads("order-ingest").newThread(this::runIngest);
    ingestThread.start();
    // Threads that run JDBC for HTTP requests: as many as pool connections.
    workers = new ThreadPoolExecutor(config.dbPoolSize(), config.dbPoolSize(), 0,
        TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(HTTP_WORKER_QUEUE), daemonThreads("order-http-worker"));
    HttpMetrics httpMetrics = new HttpMetrics(meters, config.accessLog());
    // Half the pool reads lookups that miss the cache, many per query; the rest is left to the
    // ingest, the warm-up and the other requests.
    int missReads = Math.max(1, config.dbPoolSize() / 2);
    missReaders = Executors.newFixedThreadPool(missReads, daemonThreads("order-miss-loader"));
    lookup = OrderLookup.builder(store, cache)
        .executor(missReaders)
        .maxConcurrentReads(missReads)
        .maxBatchSize(MISS_BATCH)
        .maxWaiting(HTTP_WORKER_QUEUE)
        .build();
    OrderEndpoints orders = new OrderEndpoints(
        service, lookup, new PostgresOrderSearch(pool), codec, new RequestBodies(), workers);
    HealthEndpoints health = new HealthEndpoints(
        pool, workers, ingest::isRunning, warmUp::status, storedOrders::isListening);
    health.bindTo(meters);
    healthChecks = Executors.newSingleThreadScheduledExecutor(daemonThreads("order-health-check"));
    healthChecks.scheduleWithFixedDelay(
        health::checkDatabase, 0, HEALTH_CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    MetricsEndpoint metrics = new MetricsEndpoint(meters);
    ClassLoader resources = OrderServer.class.getClassLoader();
    PageResources page = new PageResources(resources);
    ContractEndpoints contract = new ContractEndpoints(resources);
    DocsResources docs = new DocsResources(resources);
    graceful = new GracefulShutdownHandler(HttpApi.handler(orders, health, metrics, page, contract,
        docs, liveStream, livePolls, new BearerToken(config.apiToken(), config.protectReads()),
        httpMetrics));
    undertow = Undertow.builder()
        .addHttpListener(config.httpPort(), config.httpHost())
        .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
        .setWorkerThreads(4) // Undertow's own pool serves only the page's static files
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE,
            (long) RequestBodies.MAX_BYTES + RequestBodies.MULTIPART_OVERHEAD)
        .setServerOption(UndertowOptions.MULTIPART_MAX_ENTITY_SIZE,
            (long) RequestBodies.MAX_BYTES + RequestBodies.MULTIPART_OVERHEAD)
        .setServerOption(UndertowOptions.MEMORY_STORAGE_THRESHOLD, (long) RequestBodies.MAX_BYTES)
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 120_000)
        .setHandler(graceful)
        .build();
    undertow.start();
    httpPort = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    LOG.info("HTTP: listening on {}:{}, open {}", config.httpHost(), httpPort, baseUri());
    LOG.info("live feed: epoch {}, replaying up to {} events", feed.epoch(),
        LiveOrders.REPLAY_WINDOW);
  }

  /** The HTTP port, the one picked if the config said 0. */
  public int httpPort() {
    return httpPort;
  }

  /** Where a client on this machine reaches the API, e.g. {@code http://127.0.0.1:8080/}. */
  public URI baseUri() {
    String host = config.httpHost();
    if (host.equals("0.0.0.0") || host.isEmpty()) {
      host = "127.0.0.1";
    } else if (host.equals("::")) {
      host = "[::1]";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + httpPort + "/");
  }

  /**
   * Graceful shutdown; see the class comment for the steps and their bound. Idempotent; also
   * releases a half-started server.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long started = System.nanoTime();
    long deadline = started + SHUTDOWN_TIMEOUT.toNanos();
    if (graceful != null) {
      // Not ListenerInfo.suspend(): in this Undertow (2.4) it also closes every open connection,
      // and with them the requests in flight that the drain below is there to let finish. New
      // requests are answered 503 from here on; "stop HTTP" closes the listeners.
      step("stop accepting HTTP requests", graceful::shutdown);
    }
    // The live feed first: its clients reconnect to another instance at once, and the polls'
    // answers are on their way while the ingest closes.
    if (liveStream != null) {
      step("end the live streams", liveStream::close);
    }
    if (livePolls != null) {
      step("answer the waiting polls", livePolls::close);
    }
    if (ingest != null) {
      step("close the Kafka ingest (commits what is done)", () -> {
        ingest.close();
        ingestThread.join(remainingMillis(deadline, INGEST_CLOSE_TIMEOUT));
      });
    }
    if (storedOrders != null) {
      step("stop the live feed's listener", storedOrders::close);
    }
    if (graceful != null) {
      step("drain HTTP requests in flight", () -> {
        if (!graceful.awaitShutdown(remainingMillis(deadline, HTTP_DRAIN_TIMEOUT))) {
          LOG.warn("requests still in flight after the drain timeout; stopping anyway");
        }
      });
    }
    if (undertow != null) {
      step("stop HTTP", undertow::stop);
    }
    if (workers != null) {
      step("stop the HTTP workers", () -> {
        workers.shutdown();
        workers.awaitTermination(remainingMillis(deadline, Duration.ofSeconds(2)),
            TimeUnit.MILLISECONDS);
      });
    }
    if (missReaders != null) {
      step("stop the lookup readers", () -> {
        if (lookup != null) {
          lookup.close(); // answers the misses still queued
        }
        missReaders.shutdown();
        missReaders.awaitTermination(remainingMillis(deadline, Duration.ofSeconds(2)),
            TimeUnit.MILLISECONDS);
      });
    }
    if (healthChecks != null) {
      step("stop the health checks", healthChecks::shutdownNow);
    }
    if (warmUpThread != null) {
      step("stop the cache warm-up", warmUpThread::shutdownNow);
    }
    if (cache != null) {
      step("close the cache", cache::close);
    }
    if (pool != null) {
      step("close the database pool", pool::close);
    }
    if (backing != null) {
      step("stop the embedded servers", backing::close);
    }
    if (meters != null) {
      step("close the meters", () -> {
        if (gcMeters != null) {
          gcMeters.close();
        }
        meters.close();
      });
    }
    LOG.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  /** The JVM's and the process's own meters: memory, GC, threads, classes, CPU, uptime, files. */
  private void bindJvmMeters() {
    new ClassLoaderMetrics().bindTo(meters);
    new JvmMemoryMetrics().bindTo(meters);
    gcMeters = new JvmGcMetrics();
    gcMeters.bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    new FileDescriptorMetrics().bindTo(meters);
  }

  private void runIngest() {
    try {
      ingest.run();
    } catch (RuntimeException e) {
      LOG.error("the Kafka ingest stopped on an unexpected error; /readyz reports it", e);
    }
  }

  /**
   * Applies the migrations, waiting for a database that is not reachable yet (a container
   * started alongside it) for up to {@link #DATABASE_WAIT}.
   */
  private void migrateWhenReachable() {
    long deadline = System.nanoTime() + DATABASE_WAIT.toNanos();
    while (true) {
      try {
        Migrations.migrate(pool);
        return;
      } catch (OrderStoreException e) {
        if (!e.isTransient() || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.warn("database not reachable yet ({}); trying again in 1 s", e.getMessage());
        sleepOneSecond();
      }
    }
  }

  private static void sleepOneSecond() {
    try {
      // The pause between attempts to reach a database that is still starting; nothing to wait on.
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the database", e);
    }
  }

  private static long remainingMillis(long deadlineNanos, Duration cap) {
    long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000;
    return Math.max(1, Math.min(remaining, cap.toMillis()));
  }

  private static void step(String name, Step step) {
    long started = System.nanoTime();
    LOG.info("shutdown: {}", name);
    try {
      step.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("shutdown: {} interrupted", name);
    } catch (Exception e) {
      LOG.warn("shutdown: {} failed: {}", name, e.toString());
    }
    LOG.debug("shutdown: {} took {} ms", name, (System.nanoTime() - started) / 1_000_000);
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** A shutdown step, which may block. */
  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }
}
