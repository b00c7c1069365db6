package dev.orderservice.devstack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster of several KRaft nodes inside this JVM, each node broker and
 * controller at once, all voters of one controller quorum, listening on 127.0.0.1 only. For tests
 * of what a single {@link EmbeddedKafka} cannot show: replication, leader elections, losing a
 * broker.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = KafkaCluster.builder().nodes(3).build()) {
 *     cluster.start();
 *     cluster.createTopic("orders", 6);               // replication factor 3
 *     // clients use cluster.bootstrapServers(): every node's address
 *     cluster.kill(cluster.leaderOfMostPartitions("orders"));
 * }
 * }</pre>
 *
 * <p><b>Configuration.</b> Each node is configured as an {@link EmbeddedKafka} broker (see {@link
 * KafkaBrokerSettings}), except: its own node id, every node in {@code controller.quorum.voters} (a
 * static quorum; all nodes formatted with one cluster id), three copies of every partition ({@code
 * default.replication.factor}, {@code offsets.topic.replication.factor}, {@code
 * transaction.state.log.replication.factor}; fewer on a smaller cluster), {@code
 * min.insync.replicas=2} and {@code transaction.state.log.min.isr=2} (1 on one node), {@code
 * controlled.shutdown.enable=false}, {@code broker.session.timeout.ms=3000}. Every default can be
 * overridden with {@link Builder#brokerProperty(String, String)}, for every node alike. Log
 * directories are always temporary.
 *
 * <p><b>Killing a node.</b> {@link #kill(int)} shuts the node's in-process server down without a
 * controlled shutdown: its sockets close at once (clients see the connection drop), it does not ask
 * the controller to move its partition leaderships, and the controller fences it only when its
 * heartbeats stop ({@code broker.session.timeout.ms}, 3 s), then elects new leaders from the
 * in-sync replicas. This is as close to a crash as one JVM allows; unlike {@code kill -9}, the
 * node's logs are closed cleanly and, if it was the active controller, it resigns from the quorum
 * instead of timing out. With three nodes, two remain: a majority of the quorum, and enough in-sync
 * replicas for {@code acks=all}. A killed node does not come back.
 *
 * <p><b>Lifecycle and threads.</b> {@link #start()} starts every node on a thread of its own (a
 * node finishes starting only once a majority of voters runs) and blocks until every broker is
 * unfenced. {@link #close()} stops the nodes still running, in parallel, and deletes the log
 * directories; it is idempotent, and a JVM shutdown hook calls it for clusters still open at exit.
 * All methods are thread-safe. Failures are reported as {@link DevstackException}; misuse as {@link
 * IllegalStateException}. The caveat of {@link EmbeddedKafka} about in-process brokers holds for
 * each node.
 */
public final class KafkaCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);

  private static final int START_ATTEMPTS = 3;

  private final int nodeCount;
  private final KafkaBrokerSettings settings;

  private List<KafkaClusterNode> nodes = List.of();
  private boolean started;
  private boolean closed;
  private Thread shutdownHook;

  private KafkaCluster(Builder builder) {
    this.nodeCount = builder.nodes;
    this.settings = new KafkaBrokerSettings(builder.defaultPartitions, false, builder.overrides);
  }

  /** A builder with defaults: three nodes, one partition per auto-created topic. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats a log directory per node, starts every node and blocks until every broker is unfenced.
   * Does nothing if already started.
   *
   * @throws DevstackException if the cluster cannot start (the cause carries Kafka's exception)
   * @throws IllegalStateException if the cluster was closed
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("KafkaCluster was closed; build a new one");
    }
    if (started) {
      return;
    }
    long startedAt = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      nodes = newNodes();
      try {
        startNodes();
        break;
      } catch (RuntimeException e) {
        stopNodes();
        if (EmbeddedKafka.isBindFailure(e) && attempt < START_ATTEMPTS) {
          nodes.forEach(node -> node.logDirectory().deleteIfTemporary());
          // The voters' ports are fixed before any node starts; a taken one means new ports all.
          LOG.info("a port was taken before Kafka could bind it; trying other ports");
          continue;
        }
        throw new DevstackException(
            "Kafka cluster of " + nodeCount + " nodes did not start: " + e, e);
      }
    }
    started = true;
    shutdownHook = new Thread(this::closeQuietly, "order-devstack-kafka-cluster-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      admin().awaitNodes(nodeCount);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    LOG.info(
        "Kafka cluster of {} nodes started on {} in {} ms",
        nodeCount,
        bootstrapServers(),
        (System.nanoTime() - startedAt) / 1_000_000);
  }

  /**
   * Every node's client address, {@code 127.0.0.1:PORT,...}, killed ones included, as a client of a
   * real cluster is configured.
   *
   * @throws IllegalStateException if the cluster was not started
   */
  public synchronized String bootstrapServers() {
    requireStarted();
    return nodes.stream().map(KafkaClusterNode::address).collect(Collectors.joining(","));
  }

  /** The ids of the nodes, 1 to {@link Builder#nodes(int)}. */
  public List<Integer> nodeIds() {
    List<Integer> ids = new ArrayList<>();
    for (int id = 1; id <= nodeCount; id++) {
      ids.add(id);
    }
    return Collections.unmodifiableList(ids);
  }

  /** The ids of the nodes running now: started and neither killed nor closed. */
  public synchronized List<Integer> runningNodeIds() {
    return nodes.stream()
        .filter(KafkaClusterNode::isRunning)
        .map(KafkaClusterNode::nodeId)
        .toList();
  }

  /**
   * Creates a topic with {@code partitions} partitions and three copies of each (as many as there
   * are nodes on a smaller cluster), unless one of that name exists; blocks until every partition
   * has a leader.
   *
   * @throws IllegalStateException if the cluster is not running
   * @throws DevstackException if the topic cannot be created within 30 s
   */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Math.min(3, nodeCount));
  }

  /**
   * As {@link #createTopic(String, int)}, with {@code replicationFactor} copies of each partition.
   */
  public void createTopic(String name, int partitions, int replicationFactor) {
    Objects.requireNonNull(name, "name");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    if (replicationFactor < 1 || replicationFactor > nodeCount) {
      throw new IllegalArgumentException(
          "replicationFactor must be 1.." + nodeCount + ", was " + replicationFactor);
    }
    admin().createTopic(name, partitions, replicationFactor);
  }

  /**
   * The node that leads the most partitions of {@code topic} now (the lowest id on a tie), as
   * {@code Admin.describeTopics} tells.
   *
   * @throws IllegalStateException if the cluster is not running, or no partition has a leader
   * @throws DevstackException if the topic cannot be described within 30 s
   */
  public int leaderOfMostPartitions(String topic) {
    Map<Integer, Integer> led = partitionsLedByNode(topic);
    return led.entrySet().stream()
        .max(
            Map.Entry.<Integer, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Collections.reverseOrder())))
        .map(Map.Entry::getKey)
        .orElseThrow(() -> new IllegalStateException("no partition of " + topic + " has a leader"));
  }

  /**
   * How many partitions of {@code topic} each node leads now, by node id; a node that leads none is
   * absent.
   *
   * @throws IllegalStateException if the cluster is not running
   * @throws DevstackException if the topic cannot be described within 30 s
   */
  public Map<Integer, Integer> partitionsLedByNode(String topic) {
    return admin().partitionsLedByNode(Objects.requireNonNull(topic, "topic"));
  }

  /**
   * Stops node {@code nodeId} abruptly, without a controlled shutdown (see the class comment), and
   * blocks until its threads are gone. Its log directory stays until {@link #close()}. Killing a
   * node already killed does nothing.
   *
   * @throws IllegalArgumentException if there is no such node
   * @throws IllegalStateException if the cluster is not running
   */
  public void kill(int nodeId) {
    KafkaClusterNode node;
    synchronized (this) {
      requireRunning();
      if (nodeId < 1 || nodeId > nodeCount) {
        throw new IllegalArgumentException("no node " + nodeId + "; the nodes are 1.." + nodeCount);
      }
      node = nodes.get(nodeId - 1);
    }
    long startedAt = System.nanoTime();
    node.stop();
    LOG.info("killed Kafka {} in {} ms", node, (System.nanoTime() - startedAt) / 1_000_000);
  }

  /**
   * Stops every node still running, in parallel, blocks until they have stopped, and deletes the
   * log directories. Idempotent. Takes about 5 s: the last controllers of the quorum each wait that
   * long (a fixed timeout of Kafka's Raft client) for a successor that can no longer be elected.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long startedAt = System.nanoTime();
    stopNodes();
    nodes.forEach(node -> node.logDirectory().deleteIfTemporary());
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // JVM already shutting down; the hook will find the cluster closed.
      }
    }
    if (started) {
      LOG.info(
          "Kafka cluster of {} nodes stopped in {} ms",
          nodeCount,
          (System.nanoTime() - startedAt) / 1_000_000);
    }
  }

  @Override
  public synchronized String toString() {
    return "KafkaCluster["
        + nodeCount
        + " nodes"
        + (started ? ", " + bootstrapServers() : "")
        + "]";
  }

  // ---------------------------------------------------------------------------------------

  /** New nodes on free ports, each with a temporary log directory. */
  private List<KafkaClusterNode> newNodes() {
    List<KafkaClusterNode> made = new ArrayList<>();
    for (int id = 1; id <= nodeCount; id++) {
      KafkaLogDirectory directory = KafkaLogDirectory.prepare(null);
      made.add(new KafkaClusterNode(id, Ports.freePort(), Ports.freePort(), directory));
    }
    return List.copyOf(made);
  }

  /**
   * Formats and starts every node on a thread of its own, all with one cluster id, and waits for
   * all: a node's start completes only once a majority of the voters runs.
   */
  private void startNodes() {
    String clusterId = Uuid.randomUuid().toString();
    Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
    nodes.forEach(node -> controllerPorts.put(node.nodeId(), node.controllerPort()));
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (KafkaClusterNode node : nodes) {
      Properties properties =
          settings.clusterNodeProperties(
              node.nodeId(), node.clientPort(), controllerPorts, node.logDirectory().path());
      starts.add(
          CompletableFuture.runAsync(
              () -> {
                node.logDirectory().formatIfNeeded(node.nodeId(), clusterId);
                node.start(properties);
              },
              runnable -> {
                Thread thread = new Thread(runnable, "order-devstack-kafka-start-" + node.nodeId());
                thread.setDaemon(true);
                thread.start();
              }));
    }
    try {
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /** Stops every node, in parallel; a killed node is already stopped. */
  private void stopNodes() {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (KafkaClusterNode node : nodes) {
      stops.add(
          CompletableFuture.runAsync(
              node::stop,
              runnable -> {
                Thread thread = new Thread(runnable, "order-devstack-kafka-stop-" + node.nodeId());
                thread.setDaemon(true);
                thread.start();
              }));
    }
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
  }

  /** Admin calls over the nodes running now. */
  private synchronized BrokerAdmin admin() {
    requireRunning();
    return new BrokerAdmin(
        nodes.stream()
            .filter(KafkaClusterNode::isRunning)
            .map(KafkaClusterNode::address)
            .collect(Collectors.joining(",")));
  }

  private void requireStarted() {
    if (!started) {
      throw new IllegalStateException("KafkaCluster is not started; call start() first");
    }
  }

  private void requireRunning() {
    if (!started || closed) {
      throw new IllegalStateException("KafkaCluster is not running");
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("closing {} at JVM exit failed: {}", this, e.getMessage());
    }
  }

  /**
   * Configures a {@link KafkaCluster}. Not thread-safe; use from one thread, then {@link #build()}.
   */
  public static final class Builder {
    private int nodes = 3;
    private int defaultPartitions = 1;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder() {}

    /** How many nodes, each broker and controller; default 3, at most 9. */
    public Builder nodes(int nodes) {
      if (nodes < 1 || nodes > 9) {
        throw new IllegalArgumentException("nodes must be 1..9, was " + nodes);
      }
      this.nodes = nodes;
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

    /** Any broker setting for every node, applied last, so it overrides the defaults. */
    public Builder brokerProperty(String name, String value) {
      overrides.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** A new, not yet started cluster. */
    public KafkaCluster build() {
      return new KafkaCluster(this);
    }
  }
}
