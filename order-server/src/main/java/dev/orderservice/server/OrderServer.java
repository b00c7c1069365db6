package dev.orderservice.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cache.CacheWarmUp;
import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.domain.IngestPositions;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderLookup;
import dev.orderservice.domain.OrderSearch;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.persistence.AuditLog;
import dev.orderservice.persistence.CustomerExport;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.OrderErasure;
import dev.orderservice.persistence.PostgresIngestPositions;
import dev.orderservice.persistence.PostgresOrderSearch;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.persistence.StoredOrdersListener;
import dev.orderservice.server.config.ServerConfig;
import dev.orderservice.server.feed.HeardErasures;
import dev.orderservice.server.feed.LiveFeedListener;
import dev.orderservice.server.feed.LiveOrders;
import dev.orderservice.server.feed.LivePolls;
import dev.orderservice.server.feed.LiveStream;
import dev.orderservice.server.http.BearerToken;
import dev.orderservice.server.http.ContractEndpoints;
import dev.orderservice.server.http.DocsResources;
import dev.orderservice.server.http.HealthEndpoints;
import dev.orderservice.server.http.HttpApi;
import dev.orderservice.server.http.HttpMetrics;
import dev.orderservice.server.http.HttpTracing;
import dev.orderservice.server.http.MetricsEndpoint;
import dev.orderservice.server.http.OrderEndpoints;
import dev.orderservice.server.http.PageResources;
import dev.orderservice.server.http.PersonalDataEndpoints;
import dev.orderservice.server.http.PersonalDataMeters;
import dev.orderservice.server.http.RequestBodies;
import dev.orderservice.server.lifecycle.BackingServices;
import dev.orderservice.server.lifecycle.DaemonThreads;
import dev.orderservice.server.lifecycle.DatabaseStartup;
import dev.orderservice.server.lifecycle.DependencyProblems;
import dev.orderservice.server.lifecycle.KafkaProblems;
import dev.orderservice.server.lifecycle.Lifecycle;
import dev.orderservice.server.lifecycle.ProcessMeters;
import dev.orderservice.server.lifecycle.RetentionSchedule;
import dev.orderservice.server.lifecycle.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order service, assembled: PostgreSQL (configured or embedded), migrations, the store, the
 * cache and its background warm-up, the use cases, the Kafka ingest on its own thread, and the live
 * feed (a listener on a connection of its own hears every order any instance stores, and {@link
 * LiveOrders} fans them out to streams and polls), and the HTTP API on Undertow.
 *
 * <p>{@link #start} returns once HTTP listens; requests are served from then on, while the cache
 * still warms up (misses read through to the database). Start-up is one ordered list of steps
 * ({@link #startAll}); each step registers how it stops with the {@link Lifecycle}, and {@link
 * #close()} runs those stops in reverse: stop accepting HTTP requests (new ones are answered 503),
 * end the live streams and answer the waiting polls, close the ingest (it commits what is done),
 * stop the live feed's listener, drain the requests in flight, stop Undertow, the health checks,
 * the lookup readers, the search threads, the workers, the warm-up, the cache, the two pools and
 * the embedded servers; each step logged. The steps that wait (the ingest's last batch, the
 * requests in flight, the workers) share a budget of {@link #SHUTDOWN_TIMEOUT}; the rest only close
 * what is idle. Thread safe: {@code close()} is idempotent and may be called from any thread.
 */
public final class OrderServer implements AutoCloseable {

  /** The most the waiting steps of a graceful shutdown take together. */
  public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

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
  private final Lifecycle lifecycle = new Lifecycle(SHUTDOWN_TIMEOUT);
  private final DependencyProblems problems = new DependencyProblems();
  private volatile int httpPort;

  private OrderServer(ServerConfig config) {
    this.config = config;
  }

  /**
   * Starts everything and returns once HTTP listens.
   *
   * <p>A database that refuses the password or the role does not stop it: HTTP listens, {@code
   * /readyz} answers 503 naming the refusal, and the migrations, the cache warm-up, the live feed
   * and the ingest start once the database accepts the service ({@link DatabaseStartup}).
   *
   * @throws RuntimeException if a part cannot start (an embedded server, the database within {@link
   *     #DATABASE_WAIT}, the HTTP port); what was started is closed again; a {@link
   *     dev.orderservice.server.lifecycle.StartRefusedException} if PostgreSQL's certificate does
   *     not verify or it offers no TLS where the DSN requires it
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

  /**
   * The steps of start-up, in order. Each registers its stop right after it starts, so that the
   * shutdown order is this list read backwards: what serves requests stops first, what everything
   * else needs (the pool, the embedded servers, the meters) last.
   */
  private void startAll() {
    LOG.info("starting with {}", config);
    PrometheusMeterRegistry meters = ProcessMeters.start(lifecycle);
    OpenTelemetry telemetry = Tracing.start(config.otelVariables(), lifecycle);
    HttpTracing tracing = new HttpTracing(telemetry);
    BackingServices backing = BackingServices.start(config);
    lifecycle.onClose("stop the embedded servers", backing::close);
    int cores = Runtime.getRuntime().availableProcessors();
    HikariDataSource pool =
        OrderDatabase.pool(
            backing.jdbcUrl(),
            RequestThreads.sharedConnections(config.dbPoolSize(), cores),
            "order-server",
            meters);
    lifecycle.onClose("close the database pool", pool::close);
    HikariDataSource searchPool =
        OrderDatabase.searchPool(
            backing.jdbcUrl(),
            RequestThreads.searchers(config.dbPoolSize(), cores),
            "order-server-search",
            meters);
    lifecycle.onClose("close the search pool", searchPool::close);
    boolean accepted =
        DatabaseStartup.migrateWhenReachable(pool, backing.jdbcUrl(), DATABASE_WAIT, problems);
    PostgresOrderStore store = new PostgresOrderStore(pool);
    EhcacheOrderCache cache =
        EhcacheOrderCache.builder()
            .maxEntries(config.cacheMaxEntries())
            .meterRegistry(meters)
            .build();
    lifecycle.onClose("close the cache", cache::close);
    OrderCodec codec =
        config.ignoreUnknownFields()
            ? OrderCodec.builder().ignoreUnknownFields(true).build()
            : OrderCodec.standard();
    OrderService service =
        new OrderService(store, cache, new OrderValidator(), codec, new IgnoredFieldsLog(meters));
    // The parts started below are read by the health endpoints once they exist.
    AtomicReference<CacheWarmUp> warmUp = new AtomicReference<>();
    if (accepted) {
      warmUp.set(startWarmUp(store, cache, meters));
    }
    ThreadPoolExecutor workers = RequestThreads.workers(config.dbPoolSize(), lifecycle, meters);
    ThreadPoolExecutor searches =
        RequestThreads.searches(config.dbPoolSize(), cores, lifecycle, meters);
    OrderLookup lookup = startLookup(store, cache, telemetry, cores);
    AtomicReference<OrderIngest> ingest = new AtomicReference<>();
    AtomicReference<StoredOrdersListener> listener = new AtomicReference<>();
    HealthEndpoints health =
        new HealthEndpoints(
            pool,
            workers,
            () -> ingest.get() != null && ingest.get().isRunning(),
            () -> warmUp.get() == null ? DatabaseStartup.WARM_UP_WAITING : warmUp.get().status(),
            () -> listener.get() != null && listener.get().isListening(),
            problems);
    startHealthChecks(health, meters);
    LiveOrders feed = new LiveOrders();
    HeardErasures heardErasures = new HeardErasures();
    feed.bindTo(meters);
    LiveStream liveStream = new LiveStream(feed, config.streamHeartbeat());
    liveStream.bindTo(meters);
    LivePolls livePolls = new LivePolls(feed);
    livePolls.bindTo(meters);
    OrderSearch search = tracing.search(new PostgresOrderSearch(searchPool));
    OrderEndpoints orders =
        new OrderEndpoints(service, lookup, search, codec, new RequestBodies(), workers, searches);
    PersonalDataEndpoints personal =
        new PersonalDataEndpoints(
            new OrderErasure(pool),
            new CustomerExport(pool),
            new AuditLog(pool),
            cache,
            new PersonalDataMeters(meters),
            heardErasures,
            workers);
    GracefulShutdownHandler graceful =
        new GracefulShutdownHandler(
            httpApi(orders, health, meters, personal, liveStream, livePolls, tracing));
    Undertow undertow = HttpApi.undertow(config.httpHost(), config.httpPort(), graceful);
    lifecycle.onClose("stop HTTP", undertow::stop);
    lifecycle.onClose(
        "drain HTTP requests in flight",
        () -> {
          if (httpPort == 0) {
            return; // never listened: nothing in flight, and shutdown() was never called
          }
          if (!graceful.awaitShutdown(lifecycle.remainingMillis(HTTP_DRAIN_TIMEOUT))) {
            LOG.warn("requests still in flight after the drain timeout; stopping anyway");
          }
        });
    // What works on the database starts now, or once the database accepts the service (a
    // refused password: /readyz says so meanwhile, and HTTP answers).
    Runnable databaseParts =
        () -> {
          // Before the ingest, so that the feed hears the first order it stores.
          listener.set(
              LiveFeedListener.start(
                  backing.jdbcUrl(),
                  feed,
                  cache,
                  heardErasures,
                  config.retentionDeletes(),
                  meters));
          lifecycle.onClose("stop the live feed's listener", listener.get()::close);
          ingest.set(
              startIngest(backing, service, new PostgresIngestPositions(pool), meters, telemetry));
          RetentionSchedule.startIfSet(config, pool, meters, lifecycle);
        };
    if (accepted) {
      databaseParts.run();
    }
    // The live feed stops first: its clients reconnect to another instance at once, and the
    // polls' answers are on their way while the ingest closes.
    lifecycle.onClose("answer the waiting polls", livePolls::close);
    lifecycle.onClose("end the live streams", liveStream::close);
    undertow.start();
    // Not ListenerInfo.suspend(): in this Undertow (2.4) it also closes every open connection, and
    // with them the requests in flight that the drain is there to let finish. New requests are
    // answered 503 from here on; "stop HTTP" closes the listeners.
    lifecycle.onClose("stop accepting HTTP requests", graceful::shutdown);
    if (!accepted) {
      DatabaseStartup.migrateOnceAccepted(
          pool,
          backing.jdbcUrl(),
          problems,
          lifecycle,
          () -> {
            warmUp.set(startWarmUp(store, cache, meters));
            databaseParts.run();
          });
    }
    httpPort = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    LOG.info("HTTP: listening on {}:{}, open {}", config.httpHost(), httpPort, baseUri());
    LOG.info(
        "live feed: epoch {}, replaying up to {} events", feed.epoch(), LiveOrders.REPLAY_WINDOW);
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
   * Graceful shutdown: the stops of the steps that started, in reverse (see the class comment).
   * Idempotent; also releases a half-started server.
   */
  @Override
  public void close() {
    lifecycle.close();
  }

  private CacheWarmUp startWarmUp(
      PostgresOrderStore store, EhcacheOrderCache cache, PrometheusMeterRegistry meters) {
    ExecutorService warmUpThread =
        Executors.newSingleThreadExecutor(DaemonThreads.named("order-cache-warmup"));
    lifecycle.onClose("stop the cache warm-up", warmUpThread::shutdownNow);
    CacheWarmUp warmUp = CacheWarmUp.start(store, cache, warmUpThread);
    warmUp.bindTo(meters);
    return warmUp;
  }

  /**
   * The lookups that miss the cache: {@link RequestThreads#missReaders} threads read them, many per
   * query; the rest of the pool is left to the ingest, the warm-up and the other requests.
   */
  private OrderLookup startLookup(
      PostgresOrderStore store, EhcacheOrderCache cache, OpenTelemetry telemetry, int cores) {
    int missReads = RequestThreads.missReaders(config.dbPoolSize(), cores);
    ExecutorService missReaders =
        Executors.newFixedThreadPool(missReads, DaemonThreads.named("order-miss-loader"));
    OrderLookup lookup =
        OrderLookup.builder(store, cache)
            .executor(missReaders)
            .maxConcurrentReads(missReads)
            .maxBatchSize(MISS_BATCH)
            .maxWaiting(RequestThreads.QUEUE)
            .openTelemetry(telemetry)
            .build();
    lifecycle.onClose(
        "stop the lookup readers",
        () -> {
          lookup.close(); // answers the misses still queued
          missReaders.shutdown();
          missReaders.awaitTermination(
              lifecycle.remainingMillis(Duration.ofSeconds(2)), TimeUnit.MILLISECONDS);
        });
    return lookup;
  }

  private void startHealthChecks(HealthEndpoints health, PrometheusMeterRegistry meters) {
    health.bindTo(meters);
    ScheduledExecutorService healthChecks =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("order-health-check"));
    lifecycle.onClose("stop the health checks", healthChecks::shutdownNow);
    healthChecks.scheduleWithFixedDelay(
        health::checkDatabase, 0, HEALTH_CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  private HttpHandler httpApi(
      OrderEndpoints orders,
      HealthEndpoints health,
      PrometheusMeterRegistry meters,
      PersonalDataEndpoints personal,
      LiveStream liveStream,
      LivePolls livePolls,
      HttpTracing tracing) {
    ClassLoader resources = OrderServer.class.getClassLoader();
    return HttpApi.handler(
        orders,
        health,
        new MetricsEndpoint(meters),
        new PageResources(resources),
        new ContractEndpoints(resources),
        new DocsResources(resources),
        personal,
        liveStream::stream,
        livePolls::events,
        new BearerToken(config.apiToken(), config.protectReads()),
        new HttpMetrics(meters, config.accessLog()),
        tracing);
  }

  /** The Kafka ingest, on a thread of its own until closed. */
  private OrderIngest startIngest(
      BackingServices backing,
      OrderService service,
      IngestPositions positions,
      PrometheusMeterRegistry meters,
      OpenTelemetry telemetry) {
    OrderIngest.Builder builder =
        OrderIngest.builder()
            .bootstrapServers(backing.kafkaBootstrapServers())
            .topic(config.kafkaTopic())
            .deadLetterTopic(config.kafkaDeadLetterTopic())
            .deadLetterRetention(config.kafkaDlqRetention())
            .groupId(config.kafkaGroup())
            .consumerProperties(config.kafkaClients().properties())
            .producerProperties(config.kafkaClients().properties())
            .service(service)
            // The database's own record of how far it has stored: no loss on a failover, a
            // restore or lost group offsets (see order-ingest's package documentation).
            .positions(positions)
            .meterRegistry(meters)
            .openTelemetry(telemetry)
            .listener(new KafkaProblems(problems))
            .closeTimeout(INGEST_CLOSE_TIMEOUT);
    config.kafkaInstanceId().ifPresent(builder::groupInstanceId);
    if (config.kafkaGroupProtocol().equals("consumer")) {
      builder.groupProtocol(GroupProtocol.CONSUMER);
    } else {
      builder.groupProtocol(GroupProtocol.CLASSIC).sessionTimeout(config.kafkaSessionTimeout());
    }
    OrderIngest ingest = builder.build();
    Thread thread = DaemonThreads.named("order-ingest").newThread(() -> runIngest(ingest));
    thread.start();
    lifecycle.onClose(
        "close the Kafka ingest (commits what is done)",
        () -> {
          ingest.close();
          thread.join(lifecycle.remainingMillis(INGEST_CLOSE_TIMEOUT));
        });
    return ingest;
  }

  private static void runIngest(OrderIngest ingest) {
    try {
      ingest.run();
    } catch (RuntimeException e) {
      LOG.error("the Kafka ingest stopped on an unexpected error; /readyz reports it", e);
    }
  }
}
