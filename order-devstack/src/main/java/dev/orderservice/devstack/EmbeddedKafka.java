package dev.orderservice.devstack;

import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
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
 * <p><b>Security.</b> {@link Builder#listener(SecureListener)} adds a client listener with SASL
 * over TLS or mutual TLS on a port of its own ({@link #bootstrapServers(String)}); SCRAM users are
 * made with {@link #upsertScramUser}. The PLAINTEXT listener of {@link #bootstrapServers()} stays
 * for the broker's own traffic, the admin helpers and tests that set data up.
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

  private static final int AUTO_PORT_ATTEMPTS = 3;

  private final int requestedPort;
  private final Path configuredLogDirectory;
  private final KafkaBrokerSettings settings;

  private KafkaLogDirectory logDirectory;
  private int port;
  private final Map<String, Integer> securePorts = new LinkedHashMap<>();
  private KafkaRaftServer server;
  private boolean started;
  private boolean closed;
  private Thread shutdownHook;

  private EmbeddedKafka(Builder builder) {
    this.requestedPort = builder.port;
    this.configuredLogDirectory =
        builder.logDirectory == null ? null : builder.logDirectory.toAbsolutePath().normalize();
    this.settings =
        new KafkaBrokerSettings(
            builder.defaultPartitions,
            configuredLogDirectory != null,
            builder.overrides,
            builder.secureListeners);
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
    logDirectory = KafkaLogDirectory.prepare(configuredLogDirectory);
    logDirectory.formatIfNeeded(settings);
    for (int attempt = 1; ; attempt++) {
      if (port == 0) {
        port = Ports.freePort();
      }
      int controllerPort = Ports.freePort();
      // Like the controller's, the secured listeners' ports are always picked here.
      settings.secureListeners().forEach(l -> securePorts.put(l.name(), Ports.freePort()));
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
      new BrokerAdmin(bootstrapServers()).awaitServesMetadata();
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
    if (logDirectory != null) {
      logDirectory.deleteIfTemporary();
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

  /**
   * {@code 127.0.0.1:PORT} of the secured listener named {@code listener} ({@link
   * Builder#listener}), for the {@code bootstrap.servers} of clients that use its security.
   *
   * @throws IllegalArgumentException if there is no such listener
   * @throws IllegalStateException if not started yet
   */
  public synchronized String bootstrapServers(String listener) {
    if (settings.secureListeners().stream().noneMatch(l -> l.name().equals(listener))) {
      throw new IllegalArgumentException("no secured listener named " + listener);
    }
    if (!started) {
      throw new IllegalStateException("ports are picked on start(); call start() first");
    }
    return Ports.LOOPBACK + ":" + securePorts.get(listener);
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
    new BrokerAdmin(bootstrapServers()).createTopic(name, partitions);
  }

  /**
   * Creates the SCRAM-SHA-512 user {@code user} with {@code password}, or gives an existing one
   * this password, through the Admin API (on the PLAINTEXT listener), and blocks until the broker
   * lists the user, so that a client may log in as a new user right away (a new password of a user
   * it knew may take effect a moment later). For the SASL_SSL listeners ({@link
   * SecureListener#saslSsl}).
   *
   * @throws IllegalStateException if the broker is not running
   * @throws DevstackException if the broker does not take the credentials within 30 s
   */
  public void upsertScramUser(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (!isRunning()) {
      throw new IllegalStateException("Kafka broker is not running");
    }
    new BrokerAdmin(bootstrapServers()).upsertScramUser(user, password);
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

  private void startServer(int controllerPort) {
    KafkaConfig config =
        KafkaConfig.fromProps(
            settings.brokerProperties(port, controllerPort, securePorts, logDirectory.path()),
            false);
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
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

  /**
   * Whether {@code failure} or a cause says that a port was taken; {@link KafkaCluster} asks too.
   */
  static boolean isBindFailure(Throwable failure) {
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
    private final List<SecureListener> secureListeners = new ArrayList<>();

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

    /**
     * Also opens {@code listener}, a client listener with security, on a free port of its own (its
     * address: {@link EmbeddedKafka#bootstrapServers(String)}). The PLAINTEXT listener stays for
     * the broker's own traffic and the admin calls.
     *
     * @throws IllegalArgumentException if a listener of that name was added already
     */
    public Builder listener(SecureListener listener) {
      Objects.requireNonNull(listener, "listener");
      if (secureListeners.stream().anyMatch(l -> l.name().equals(listener.name()))) {
        throw new IllegalArgumentException("listener " + listener.name() + " was added already");
      }
      secureListeners.add(listener);
      return this;
    }

    /** A new, not yet started instance. */
    public EmbeddedKafka build() {
      return new EmbeddedKafka(this);
    }
  }
}
