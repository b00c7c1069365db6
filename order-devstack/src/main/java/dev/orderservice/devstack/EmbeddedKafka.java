package dev.orderservice.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Apache Kafka broker in KRaft mode (one process acting as broker and
 * controller), running inside this JVM, listening on 127.0.0.1 only.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().build()) {
 *     kafka.start();
 *     kafka.createTopic("orders", 3);
 *     // producers/consumers use kafka.bootstrapServers()
 * }
 * }</pre>
 *
 * <p><b>Configuration.</b> Set up for one node: every internal topic has replication factor 1 and
 * min ISR 1 ({@code offsets.topic.*}, {@code transaction.state.log.*}, {@code
 * share.coordinator.state.topic.*}), {@code group.initial.rebalance.delay.ms=0}, {@code
 * auto.create.topics.enable=true}, the client listener is advertised as {@code 127.0.0.1:PORT} and
 * the controller listens on a second, free port. Internal topics get one partition each (the
 * production default of 50 only slows a dev broker down); every default can be overridden with
 * {@link Builder#brokerProperty(String, String)}.
 *
 * <p><b>Data.</b> Without {@link Builder#logDirectory(Path)} the log lives in a temporary directory
 * deleted by {@link #close()}. With one, a directory already formatted (holding {@code
 * meta.properties}) is reused, so topics and records survive restarts; otherwise it is formatted
 * with a new cluster id.
 *
 * <p><b>Lifecycle and threads.</b> {@link #start()} blocks until the broker is registered and
 * serves metadata (a few seconds). {@link #close()} shuts the broker down cleanly, blocks until its
 * threads are gone and deletes temporary directories; it is idempotent, and a JVM shutdown hook
 * calls it for instances still open at exit. An instance is started at most once. All methods are
 * thread-safe (they synchronize on the instance, except the admin helpers, which only use the
 * immutable bootstrap address). Failures are reported as {@link DevstackException}; misuse (start
 * after close, address before start) as {@link IllegalStateException}.
 *
 * <p><b>Caveat of running in-process.</b> Kafka treats some internal faults (for example a corrupt
 * metadata log) as fatal and halts the whole JVM, as it would halt a standalone broker. That is
 * acceptable for tests and a single-process dev server, and the price of a start-up of seconds
 * instead of a second JVM.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private static final int NODE_ID = 1;

  /**
   * Written by the storage formatter; its presence means "formatted" (as kafka-storage.sh sees it).
   */
  private static final String META_PROPERTIES = "meta.properties";

  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final int AUTO_PORT_ATTEMPTS = 3;

  private final int requestedPort;
  private final Path configuredLogDirectory;
  private final int defaultPartitions;
  private final Map<String, String> overrides;

  private Path logDirectory;
  private int port;
  private KafkaRaftServer server;
  private boolean started;
  private boolean closed;
  private Thread shutdownHook;

  private EmbeddedKafka(Builder builder) {
    this.requestedPort = builder.port;
    this.configuredLogDirectory =
        builder.logDirectory == null ? null : builder.logDirectory.toAbsolutePath().normalize();
    this.defaultPartitions = builder.defaultPartitions;
    this.overrides = Map.copyOf(builder.overrides);
    this.port = requestedPort;
  }

  /** A builder with defaults: free port, temporary log directory, one partition per topic. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the log directory if needed, starts the broker and blocks until it serves metadata.
   * Does nothing if already started.
   *
   * @throws DevstackException if the broker cannot start (the cause carries Kafka's exception)
   * @throws IllegalStateException if the instance was closed
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("EmbeddedKafka was closed; build a new one");
    }
    if (started) {
      return;
    }
    long startedAt = System.nanoTime();
    boolean autoPort = requestedPort == 0;
    if (!autoPort && !Ports.isFree(requestedPort)) {
      // Checked up front: Kafka would only notice after starting its controller, and its
      // "fatal error during broker startup" is a worse message than this one.
      throw new DevstackException(
          "Kafka broker cannot start: "
              + Ports.LOOPBACK
              + ":"
              + requestedPort
              + " is already in use");
    }
    prepareLogDirectory();
    formatIfNeeded();
    for (int attempt = 1; ; attempt++) {
      if (port == 0) {
        port = Ports.freePort();
      }
      int controllerPort = Ports.freePort();
      try {
        startServer(controllerPort);
        break;
      } catch (RuntimeException e) {
        shutdownServerQuietly();
        if (isBindFailure(e) && attempt < AUTO_PORT_ATTEMPTS) {
          // The controller port is always ours to re-pick; the client port only if auto.
          LOG.info("a port was taken before Kafka could bind it; trying other ports");
          if (autoPort) {
            port = 0;
          }
          continue;
        }
        throw new DevstackException(
            "Kafka broker did not start on "
                + Ports.LOOPBACK
                + ":"
                + port
                + " (log dir "
                + logDirectory
                + "): "
                + e
                + rootCause(e),
            e);
      }
    }
    started = true;
    shutdownHook = new Thread(this::closeQuietly, "order-devstack-kafka-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      awaitBrokerServesMetadata();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    LOG.info(
        "Kafka broker started on {} in {} ms (log dir {})",
        bootstrapServers(),
        (System.nanoTime() - startedAt) / 1_000_000,
        logDirectory);
  }

  /**
   * Shuts the broker down cleanly, blocks until it has stopped, and deletes a temporary log
   * directory. A log directory given to the builder is kept. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long startedAt = System.nanoTime();
    shutdownServerQuietly();
    if (configuredLogDirectory == null && logDirectory != null) {
      try {
        DevstackFiles.deleteRecursively(logDirectory);
      } catch (RuntimeException e) {
        LOG.warn("could not delete {}: {}", logDirectory, e.toString());
      }
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // JVM already shutting down; the hook will find the instance closed.
      }
    }
    if (started) {
      LOG.info(
          "Kafka broker on port {} stopped in {} ms",
          port,
          (System.nanoTime() - startedAt) / 1_000_000);
    }
  }

  /**
   * {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}.
   *
   * @throws IllegalStateException if the port is still to be picked (not started yet)
   */
  public String bootstrapServers() {
    return Ports.LOOPBACK + ":" + port();
  }

  /**
   * The client port on 127.0.0.1. Known once started, or from the start if fixed.
   *
   * @throws IllegalStateException if the port is still to be picked (not started yet)
   */
  public synchronized int port() {
    if (port == 0) {
      throw new IllegalStateException("port is picked on start(); call start() first");
    }
    return port;
  }

  /** Whether the broker is running (started and not closed). */
  public synchronized boolean isRunning() {
    return started && !closed;
  }

  /**
   * Creates a topic with {@code partitions} partitions (replication factor 1) unless one of that
   * name exists, and blocks until every partition has a leader, so producers and consumers can use
   * it right away. An existing topic is left as it is.
   *
   * @throws IllegalStateException if the broker is not running
   * @throws DevstackException if the topic cannot be created within 30 s
   */
  public void createTopic(String name, int partitions) {
    Objects.requireNonNull(name, "name");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    if (!isRunning()) {
      throw new IllegalStateException("Kafka broker is not running");
    }
    try (Admin admin = Admin.create(adminProperties())) {
      try {
        admin
            .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
            .all()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, name);
    } catch (ExecutionException e) {
      throw new DevstackException(
          "could not create topic " + name + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new DevstackException("timed out creating topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while creating topic " + name, e);
    }
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[127.0.0.1:"
        + (port == 0 ? "?" : port)
        + ", log="
        + (configuredLogDirectory != null ? configuredLogDirectory : "temporary")
        + "]";
  }

  // ---------------------------------------------------------------------------------------

  private void prepareLogDirectory() {
    try {
      if (configuredLogDirectory != null) {
        logDirectory = Files.createDirectories(configuredLogDirectory);
      } else {
        logDirectory = Files.createTempDirectory("order-devstack-kafka-");
      }
    } catch (IOException e) {
      throw new DevstackException("could not create Kafka log directory: " + e, e);
    }
  }

  /**
   * Writes {@code meta.properties} and the bootstrap metadata, as {@code kafka-storage.sh format}
   * would; KRaft refuses to start on an unformatted directory.
   */
  private void formatIfNeeded() {
    if (Files.exists(logDirectory.resolve(META_PROPERTIES))) {
      LOG.debug("reusing formatted Kafka log directory {}", logDirectory);
      return;
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(printStream)
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(logDirectory.toString())
          .addDirectory(logDirectory.toString())
          .run();
    } catch (Exception e) {
      throw new DevstackException(
          "could not format Kafka log directory "
              + logDirectory
              + ": "
              + e
              + "\n"
              + output.toString(StandardCharsets.UTF_8),
          e);
    }
    LOG.debug("formatted {}: {}", logDirectory, output.toString(StandardCharsets.UTF_8).strip());
  }

  private void startServer(int controllerPort) {
    Properties properties = brokerProperties(controllerPort);
    KafkaConfig config = KafkaConfig.fromProps(properties, false);
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
  }

  Properties brokerProperties(int controllerPort) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    // Static voter set: nothing about the controller address is persisted in the metadata
    // log, so a reused log directory works with whatever free controller port we pick now.
    p.put("controller.quorum.voters", NODE_ID + "@" + Ports.LOOPBACK + ":" + controllerPort);
    p.put(
        "listeners",
        BROKER_LISTENER
            + "://"
            + Ports.LOOPBACK
            + ":"
            + port
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + Ports.LOOPBACK
            + ":"
            + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://" + Ports.LOOPBACK + ":" + port);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("log.dirs", logDirectory.toString());
    p.put("num.partitions", Integer.toString(defaultPartitions));
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("auto.create.topics.enable", "true");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    // The cleaner's 128 MiB default dedupe buffer is sized for production compaction.
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    // Shorter heartbeats let the lone broker get unfenced sooner after start.
    p.put("broker.heartbeat.interval.ms", "500");
    if (configuredLogDirectory != null) {
      // After a crash the restarted controller still holds the dead broker's registration, and
      // registers the new one only when that session ends (9 s by default): 3 s brings a restart
      // after kill -9 from about 11 s to about 5 s. Only for a kept log directory; a shorter
      // session also means a JVM stall of that length fences the broker for a moment.
      p.put("broker.session.timeout.ms", "3000");
    }
    p.putAll(overrides);
    Properties properties = new Properties();
    properties.putAll(p);
    return properties;
  }

  private void awaitBrokerServesMetadata() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception last = null;
    try (Admin admin = Admin.create(adminProperties())) {
      while (System.nanoTime() < deadline) {
        try {
          Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          // KRaft only lists unfenced brokers: a listed node accepts produce requests.
          if (!nodes.isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
        // Polling interval: the Admin client offers no call that waits for the broker.
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while waiting for the Kafka broker", e);
    }
    throw new DevstackException(
        "Kafka broker on "
            + bootstrapServers()
            + " did not become ready within "
            + READY_TIMEOUT.toSeconds()
            + " s"
            + (last == null ? "" : ": " + last),
        last);
  }

  private static void awaitLeaders(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription description =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(5, TimeUnit.SECONDS)
                .get(topic);
        if (description != null
            && description.partitions().stream()
                .map(TopicPartitionInfo::leader)
                .allMatch(leader -> leader != null && !leader.isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        // UnknownTopicOrPartition right after creation: metadata has not propagated yet.
        if (System.nanoTime() >= deadline) {
          throw e;
        }
      }
      if (System.nanoTime() >= deadline) {
        throw new TimeoutException(
            "partitions of " + topic + " have no leader after " + ADMIN_TIMEOUT.toSeconds() + " s");
      }
      // Polling interval: the Admin client offers no call that waits for partition leaders.
      Thread.sleep(20);
    }
  }

  private Properties adminProperties() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "order-devstack-admin");
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    properties.put(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ADMIN_TIMEOUT.toMillis()));
    return properties;
  }

  private void shutdownServerQuietly() {
    KafkaRaftServer running = server;
    server = null;
    if (running == null) {
      return;
    }
    try {
      running.shutdown();
      running.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("Kafka broker shutdown reported: {}", e.toString());
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("closing {} at JVM exit failed: {}", this, e.getMessage());
    }
  }

  private static String rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == failure ? "" : "; root cause: " + root;
  }

  private static boolean isBindFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Configures an {@link EmbeddedKafka}. Not thread-safe; use from one thread, then {@link
   * #build()}.
   */
  public static final class Builder {
    private int port;
    private Path logDirectory;
    private int defaultPartitions = 1;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder() {}

    /** Client port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = Ports.requireValid(port);
      return this;
    }

    /**
     * Keep the broker's log (topics, offsets, metadata) in {@code directory}, created if missing
     * and reused if already formatted, instead of a temporary directory.
     */
    public Builder logDirectory(Path directory) {
      this.logDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Partitions of auto-created topics ({@code num.partitions}); default 1. */
    public Builder defaultPartitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
      }
      this.defaultPartitions = partitions;
      return this;
    }

    /** Any broker setting, applied last, so it overrides this class's defaults. */
    public Builder brokerProperty(String name, String value) {
      overrides.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** A new, not yet started instance. */
    public EmbeddedKafka build() {
      return new EmbeddedKafka(this);
    }
  }
}
