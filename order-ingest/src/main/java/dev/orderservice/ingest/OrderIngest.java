package dev.orderservice.ingest;

import static dev.orderservice.ingest.IngestSettings.positive;
import static dev.orderservice.ingest.IngestSettings.require;
import static dev.orderservice.ingest.IngestSettings.requireText;

import dev.orderservice.domain.IngestPositions;
import dev.orderservice.domain.OrderService;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a Kafka topic of order documents into stored, cached orders, at least once and without
 * storing any order twice. See the {@linkplain dev.orderservice.ingest package documentation} for
 * the lifecycle and the guarantees.
 *
 * <p>Build one with {@link #builder()}, run it on a thread of yours ({@code
 * executor.submit(ingest)}), stop it with {@link #close()}. {@link #run()} blocks until then. An
 * instance runs once.
 *
 * <p>Thread safety: {@link #run()} is called by one thread; {@link #close()}, {@link #metrics()}
 * and {@link #isRunning()} may be called from any thread.
 */
public final class OrderIngest implements Runnable, AutoCloseable {

  /** The topic read when none is set. */
  public static final String DEFAULT_TOPIC = "orders";

  /** What the dead-letter topic's name adds to the topic's when none is set. */
  public static final String DEAD_LETTER_SUFFIX = ".dlq";

  /**
   * The most records per batch when none is set. A batch is what one poll returns, so it is this
   * large only while the consumer is behind; then fewer, larger transactions store faster
   * (measured: 500 records a batch stored at 0.8x the rate of one COPY, 5,000 at 0.95x).
   */
  public static final int DEFAULT_MAX_BATCH_SIZE = 5_000;

  /**
   * How many transactions store a batch at once when not set: two keep the database busy while
   * either of them waits for the client (measured: 2 stored 200,000 orders faster than 1).
   */
  public static final int DEFAULT_STORE_CONNECTIONS = 2;

  /** The consumer group when none is set. */
  public static final String DEFAULT_GROUP_ID = "order-service";

  /** How often the database's positions are checked when not set: see {@link Builder#positions}. */
  public static final Duration DEFAULT_POSITION_CHECK_INTERVAL = Duration.ofSeconds(30);

  /** The longest group name the database's positions hold (their table's column). */
  static final int MAX_GROUP_LENGTH_WITH_POSITIONS = 255;

  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  private final IngestSettings settings;
  private final IngestCounters counters = new IngestCounters();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile IngestRun current;
  private volatile Thread runner;

  private OrderIngest(Builder b) {
    this.settings = IngestSettings.of(b);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The dead-letter topic of {@code topic} when none is set: {@code topic + ".dlq"}, so that each
   * topic's rejects stay apart.
   */
  public static String defaultDeadLetterTopic(String topic) {
    return topic + DEAD_LETTER_SUFFIX;
  }

  /**
   * The Kafka client settings the ingest sets whatever its caller's properties say, each with the
   * reason: those of the consumer (for batches of at most {@code maxBatchSize} records) and those
   * of the dead-letter producer. A runner may refuse a user's setting that asks for another value.
   */
  public static List<ForcedSetting> forcedSettings(int maxBatchSize) {
    List<ForcedSetting> forced =
        new ArrayList<>(IngestClientSettings.forcedOnConsumer(maxBatchSize));
    forced.addAll(IngestClientSettings.forcedOnProducer());
    return List.copyOf(forced);
  }

  /** The topic rejected records are published to. */
  public String deadLetterTopic() {
    return settings.deadLetterTopic();
  }

  /**
   * Consumes until {@link #close()}: polls, stores, dead-letters, commits, batch after batch, and
   * retries transient failures with backoff. Returns normally after {@code close()}; an unexpected
   * error ends it with that error and without committing the batch in hand.
   *
   * @throws IllegalStateException if this instance has run before
   */
  @Override
  public void run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("an OrderIngest runs once; build a new one");
    }
    runner = Thread.currentThread();
    try {
      IngestRun.untilClosed(settings, counters, closing::get, run -> current = run);
    } finally {
      finished.countDown();
    }
  }

  /**
   * Stops {@link #run()}: wakes the consumer, lets the batch in hand finish its current step (a
   * batch not yet committed is abandoned, never committed past, and will be read again), and closes
   * the Kafka clients. Waits at most the {@linkplain Builder#closeTimeout close timeout}.
   * Idempotent; safe before, during or after {@code run()}.
   */
  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      IngestRun run = current;
      if (run != null) {
        run.wakeup();
      }
    }
    if (!started.get() || Thread.currentThread() == runner) {
      return;
    }
    try {
      if (!finished.await(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("still finishing a batch after {}; not waiting longer", settings.closeTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@link #run()} is consuming (subscribed and not yet stopped). */
  public boolean isRunning() {
    IngestRun run = current;
    return run != null && run.isConsuming();
  }

  /** The counters so far. */
  public IngestMetrics metrics() {
    return counters.snapshot();
  }

  /**
   * Settings of an {@link OrderIngest}. Only {@link #service} and the bootstrap servers are
   * required. Not thread safe.
   */
  public static final class Builder {
    // Package-private: IngestSettings copies them when the ingest is built.
    String bootstrapServers;
    final Map<String, Object> consumerProperties = new HashMap<>();
    final Map<String, Object> producerProperties = new HashMap<>();
    String topic = DEFAULT_TOPIC;
    String deadLetterTopic;
    Duration deadLetterRetention;
    String groupInstanceId;
    Duration sessionTimeout;
    GroupProtocol groupProtocol;
    MeterRegistry meterRegistry;
    OpenTelemetry openTelemetry;
    String groupId = DEFAULT_GROUP_ID;
    OrderService service;
    int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    int storeConnections = DEFAULT_STORE_CONNECTIONS;
    Duration pollTimeout = Duration.ofMillis(500);
    Duration initialBackoff = Duration.ofMillis(200);
    Duration maxBackoff = Duration.ofSeconds(10);
    Duration ackTimeout = Duration.ofSeconds(30);
    Duration closeTimeout = Duration.ofSeconds(30);
    Executor storeExecutor;
    IngestListener listener = new IngestListener() {};
    Runnable afterStore = () -> {};
    IngestPositions positions;
    Duration positionCheckInterval = DEFAULT_POSITION_CHECK_INTERVAL;

    private Builder() {}

    /** {@code host:port[,host:port...]} of the Kafka cluster. */
    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = requireText(servers, "bootstrapServers");
      return this;
    }

    /**
     * Extra Kafka consumer settings (security, timeouts). What the ingest's guarantees rest on is
     * always set by the ingest ({@link OrderIngest#forcedSettings}).
     */
    public Builder consumerProperties(Map<String, ?> properties) {
      consumerProperties.putAll(Objects.requireNonNull(properties, "properties"));
      return this;
    }

    /**
     * Extra settings of the dead-letter producer; {@code acks=all}, idempotence and the serializers
     * are forced ({@link OrderIngest#forcedSettings}).
     */
    public Builder producerProperties(Map<String, ?> properties) {
      producerProperties.putAll(Objects.requireNonNull(properties, "properties"));
      return this;
    }

    /** The topic of order documents. Default {@value OrderIngest#DEFAULT_TOPIC}. */
    public Builder topic(String topic) {
      this.topic = requireText(topic, "topic");
      return this;
    }

    /**
     * Where rejected records go. Default: the topic's name + {@value
     * OrderIngest#DEAD_LETTER_SUFFIX}.
     */
    public Builder deadLetterTopic(String topic) {
      this.deadLetterTopic = requireText(topic, "deadLetterTopic");
      return this;
    }

    /**
     * Creates the dead-letter topic, when it is missing, keeping its records this long ({@code
     * retention.ms}): rejected records hold personal data too. An existing topic is left as it is
     * (a warning if it keeps records longer). Default: none, the topic is left to the broker.
     */
    public Builder deadLetterRetention(Duration retention) {
      this.deadLetterRetention = positive(retention, "deadLetterRetention");
      return this;
    }

    /**
     * Makes this consumer a static member of its group ({@code group.instance.id}): restarted with
     * the same id within the session timeout, it gets its partitions back at once, without a
     * rebalance, instead of waiting for the group to notice that the previous process is gone. The
     * id must be unique in the group (two live members with one id fence each other) and the same
     * across restarts of one instance. A static member that stops does not leave the group: its
     * partitions move to the others only when its session times out. Default: none, a dynamic
     * member.
     */
    public Builder groupInstanceId(String id) {
      this.groupInstanceId = requireText(id, "groupInstanceId");
      return this;
    }

    /**
     * The consumer group protocol ({@code group.protocol}): {@link GroupProtocol#CLASSIC}, where
     * the group's leader assigns partitions in rebalances, or {@link GroupProtocol#CONSUMER} (Kafka
     * 4's, KIP-848), where the broker assigns them incrementally and owns the session timeout
     * ({@code group.consumer.session.timeout.ms}), so {@link #sessionTimeout} is refused with it.
     * Default: a {@code group.protocol} in the consumer properties, else classic.
     */
    public Builder groupProtocol(GroupProtocol protocol) {
      this.groupProtocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /**
     * How long the group waits for a member that stopped heartbeating before it gives its
     * partitions to the others ({@code session.timeout.ms}; the broker allows 6 s to 30 min by
     * default). Default: Kafka's, 45 s. Classic protocol only.
     */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = positive(timeout, "sessionTimeout");
      require(
          timeout.toMillis() <= Integer.MAX_VALUE,
          "sessionTimeout must be at most " + Integer.MAX_VALUE + " ms");
      return this;
    }

    /**
     * Where the ingest's meters go: its own counters, timers and gauges ({@code order.ingest.*},
     * tagged with the topic and group) and the Kafka consumer's and dead-letter producer's own
     * metrics ({@code kafka.consumer.*}, {@code kafka.producer.*}: lag, fetch rate, request
     * latency), registered while {@link OrderIngest#run()} runs and removed when it returns.
     * Default: none, nothing is registered anywhere.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Where the ingest's spans go: one per batch ({@code process orders}, linked to its records'
     * producer spans) with its steps as children; see the {@linkplain dev.orderservice.ingest
     * package documentation}. Default: none, no span is made and no header read ({@code
     * GlobalOpenTelemetry} is never used).
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** The consumer group. Default {@value OrderIngest#DEFAULT_GROUP_ID}. */
    public Builder groupId(String groupId) {
      this.groupId = requireText(groupId, "groupId");
      return this;
    }

    /**
     * Where orders go, and how record values are read: through the service's codec ({@code
     * OrderService.check}), the same decode path as every other way in. Required.
     */
    public Builder service(OrderService service) {
      this.service = Objects.requireNonNull(service, "service");
      return this;
    }

    /**
     * The most records per batch (one poll, one transaction). Default {@value
     * OrderIngest#DEFAULT_MAX_BATCH_SIZE}.
     */
    public Builder maxBatchSize(int maxBatchSize) {
      require(maxBatchSize >= 1, "maxBatchSize must be >= 1, was " + maxBatchSize);
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /**
     * How many transactions store a batch at once, on as many database connections: the batch's
     * orders are split between them by a hash of their uid (so the first of several with one uid
     * still wins). Default {@value OrderIngest#DEFAULT_STORE_CONNECTIONS}; 1 stores each batch in
     * one transaction. A {@link #storeExecutor} must run as many tasks at once.
     */
    public Builder storeConnections(int connections) {
      require(
          connections >= 1 && connections <= 64,
          "storeConnections must be 1..64, was " + connections);
      this.storeConnections = connections;
      return this;
    }

    /**
     * Where batches are stored. Each store is {@link #storeConnections} tasks on it, one waiting
     * for the others, so it must run that many tasks at once: with fewer threads free a store waits
     * forever; with one that runs tasks on the caller's thread, the groups are stored one after the
     * other and polling waits for each store. A cached thread pool fits, or a fixed one of at least
     * {@code storeConnections} threads kept free for the ingest. The ingest never shuts it down; a
     * store still running when {@link OrderIngest#run()} returns is cancelled (interrupted).
     * Default: {@code storeConnections} daemon threads of the ingest's own ({@code
     * order-ingest-store-N}), started by {@code run()} and stopped when it returns.
     */
    public Builder storeExecutor(Executor executor) {
      this.storeExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Who hears that Kafka refuses the ingest's clients (credentials, TLS, ACLs) and that it
     * accepts them again. A refusal does not end {@link OrderIngest#run()}: the ingest tries again
     * after a back-off ({@link #backoff}) until Kafka accepts it or the ingest is closed. Default:
     * nobody (the ingest still logs it).
     */
    public Builder listener(IngestListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** How long one poll waits for records. Default 500 ms. */
    public Builder pollTimeout(Duration timeout) {
      this.pollTimeout = positive(timeout, "pollTimeout");
      return this;
    }

    /**
     * The wait after the first transient failure, doubled after each further one up to {@code max}
     * (with jitter). Default 200 ms up to 10 s.
     */
    public Builder backoff(Duration initial, Duration max) {
      positive(initial, "initial backoff");
      positive(max, "max backoff");
      require(initial.compareTo(max) <= 0, "initial backoff must not exceed max backoff");
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How long dead-letter publishing may wait for the broker's acks. Default 30 s. */
    public Builder deadLetterAckTimeout(Duration timeout) {
      this.ackTimeout = positive(timeout, "deadLetterAckTimeout");
      return this;
    }

    /** How long {@link OrderIngest#close()} waits for the loop to stop. Default 30 s. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    /**
     * Where the database records how far the ingest has stored each partition (in the same database
     * as the orders: {@code PostgresIngestPositions}), so that no order is lost when the database
     * loses what it had acknowledged (a failover to a standby that missed commits, a restore) or
     * the group loses its offsets. The ingest records a batch's next offsets there once its orders
     * are committed and before its Kafka offsets are; seeks newly assigned partitions by them; and
     * every {@link #positionCheckInterval}, and after a transient failure, reads them again and
     * reads again what the database no longer has. See the {@linkplain dev.orderservice.ingest
     * package documentation}. Default: none, Kafka's committed offsets alone say where to start.
     */
    public Builder positions(IngestPositions positions) {
      this.positions = Objects.requireNonNull(positions, "positions");
      return this;
    }

    /**
     * How often the running ingest compares the database's {@link #positions} with what it recorded
     * there, to find a database that lost transactions under it (a failover). Default 30 s.
     */
    public Builder positionCheckInterval(Duration interval) {
      this.positionCheckInterval = positive(interval, "positionCheckInterval");
      return this;
    }

    /** Test hook: runs after a batch is stored and before anything else happens to it. */
    Builder afterStore(Runnable hook) {
      this.afterStore = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /**
     * @throws IllegalArgumentException if the service or the bootstrap servers are missing, or
     *     settings do not go together ({@link IngestSettings#checkTogether})
     */
    public OrderIngest build() {
      IngestSettings.checkTogether(this);
      return new OrderIngest(this);
    }
  }
}
