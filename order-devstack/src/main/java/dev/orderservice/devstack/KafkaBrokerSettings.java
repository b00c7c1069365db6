package dev.orderservice.devstack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything an {@link EmbeddedKafka} node is configured with, in one place: its node id, its
 * listeners, the single-node defaults and the caller's overrides, turned into the broker's {@code
 * server.properties} by {@link #brokerProperties}. The storage formatter reads the node id and the
 * controller listener from here too, so that both always agree.
 *
 * <p>A new kind of listener (TLS, SASL) is one more entry in {@link #listeners}. A node of a {@link
 * KafkaCluster} takes these settings and changes its node id, the voters and the replication in
 * {@link #clusterNodeProperties}.
 *
 * <p>Immutable; safe from any thread.
 */
final class KafkaBrokerSettings {

  static final String BROKER_LISTENER = "PLAINTEXT";
  static final String CONTROLLER_LISTENER = "CONTROLLER";

  private static final int NODE_ID = 1;

  private final int defaultPartitions;
  private final boolean logKept;
  private final Map<String, String> overrides;
  private final List<SecureListener> secureListeners;

  /**
   * @param defaultPartitions partitions of auto-created topics
   * @param logKept whether the log directory outlives the instance (given by the caller)
   * @param overrides broker settings applied last, over every default
   */
  KafkaBrokerSettings(int defaultPartitions, boolean logKept, Map<String, String> overrides) {
    this(defaultPartitions, logKept, overrides, List.of());
  }

  /**
   * @param secureListeners client listeners with security, opened next to the PLAINTEXT one
   */
  KafkaBrokerSettings(
      int defaultPartitions,
      boolean logKept,
      Map<String, String> overrides,
      List<SecureListener> secureListeners) {
    this.defaultPartitions = defaultPartitions;
    this.logKept = logKept;
    this.overrides = Map.copyOf(overrides);
    this.secureListeners = List.copyOf(secureListeners);
  }

  /** The secured client listeners, each needing a port of its own at start. */
  List<SecureListener> secureListeners() {
    return secureListeners;
  }

  /** The KRaft node id, written into {@code meta.properties} and {@code node.id}. */
  int nodeId() {
    return NODE_ID;
  }

  /** The broker's settings for a start with these ports and this log directory. */
  Properties brokerProperties(int clientPort, int controllerPort, Path logDirectory) {
    return brokerProperties(clientPort, controllerPort, Map.of(), logDirectory);
  }

  /**
   * The broker's settings for a start with these ports, {@code securePorts} giving the port of each
   * {@linkplain #secureListeners() secured listener} by name, and this log directory.
   *
   * @throws IllegalArgumentException if a secured listener has no port
   */
  Properties brokerProperties(
      int clientPort, int controllerPort, Map<String, Integer> securePorts, Path logDirectory) {
    List<Listener> listeners = new ArrayList<>(listeners(clientPort, controllerPort));
    listeners.addAll(secureListeners(securePorts));
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    // Static voter set: nothing about the controller address is persisted in the metadata
    // log, so a reused log directory works with whatever free controller port we pick now.
    p.put("controller.quorum.voters", NODE_ID + "@" + Ports.LOOPBACK + ":" + controllerPort);
    p.put("listeners", join(listeners, Listener::address));
    p.put(
        "advertised.listeners",
        join(listeners.stream().filter(Listener::advertised).toList(), Listener::address));
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put("listener.security.protocol.map", join(listeners, Listener::protocolMapping));
    p.put("log.dirs", logDirectory.toString());
    p.put("num.partitions", Integer.toString(defaultPartitions));
    putSingleNodeReplication(p);
    p.put("auto.create.topics.enable", "true");
    p.put("group.initial.rebalance.delay.ms", "0");
    // The cleaner's 128 MiB default dedupe buffer is sized for production compaction.
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    secureListeners.forEach(listener -> p.putAll(listener.brokerProperties()));
    // Shorter heartbeats let the lone broker get unfenced sooner after start.
    p.put("broker.heartbeat.interval.ms", "500");
    if (logKept) {
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

  /**
   * The settings of node {@code nodeId} of a cluster whose every node is broker and controller, the
   * voters listening on {@code controllerPorts} (node id to port): this node's {@link
   * #brokerProperties} with its own node id, every node as a voter, {@link #putClusterReplication}
   * and the cluster's own defaults, then the caller's overrides again, so they still win.
   */
  Properties clusterNodeProperties(
      int nodeId, int clientPort, Map<Integer, Integer> controllerPorts, Path logDirectory) {
    Properties p = brokerProperties(clientPort, controllerPorts.get(nodeId), logDirectory);
    p.put("node.id", Integer.toString(nodeId));
    // Static voters, as for one node: every node is started knowing every controller's address.
    p.put(
        "controller.quorum.voters",
        controllerPorts.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "@" + Ports.LOOPBACK + ":" + e.getValue())
            .collect(Collectors.joining(",")));
    Map<String, String> cluster = new LinkedHashMap<>();
    putClusterReplication(cluster, controllerPorts.size());
    // A node that stops does not hand over its leaderships first: the controller fences it when
    // its heartbeats stop, as after a crash, and the last nodes of a closing cluster do not wait
    // for a controller quorum that is already gone.
    cluster.put("controlled.shutdown.enable", "false");
    // Fenced 3 s after its last heartbeat instead of 9 s: the partitions it led get new leaders
    // that much sooner. The price: a JVM stall that long fences a live node for a moment.
    cluster.put("broker.session.timeout.ms", "3000");
    // Three voters starting together often split the first vote; a candidate waits at most this
    // long (1 s by default) before it tries again.
    cluster.put("controller.quorum.election.backoff.max.ms", "200");
    // A node that cannot join its quorum fails its start instead of waiting for ever.
    cluster.put("server.max.startup.time.ms", "60000");
    p.putAll(cluster);
    p.putAll(overrides);
    return p;
  }

  /**
   * Three copies of every partition (fewer on a smaller cluster), and a write acknowledged by
   * {@code acks=all} is on at least two of them: a cluster that loses one node of three loses no
   * acknowledged record and still accepts writes.
   */
  static void putClusterReplication(Map<String, String> p, int nodes) {
    String replicas = Integer.toString(Math.min(3, nodes));
    String minInSync = Integer.toString(Math.min(2, nodes));
    p.put("default.replication.factor", replicas);
    p.put("min.insync.replicas", minInSync);
    p.put("offsets.topic.replication.factor", replicas);
    p.put("transaction.state.log.replication.factor", replicas);
    p.put("transaction.state.log.min.isr", minInSync);
    p.put("share.coordinator.state.topic.replication.factor", replicas);
    p.put("share.coordinator.state.topic.min.isr", minInSync);
  }

  /** The client listener first (it is the one advertised), then the controller's. */
  private static List<Listener> listeners(int clientPort, int controllerPort) {
    return List.of(
        new Listener(BROKER_LISTENER, "PLAINTEXT", clientPort, true),
        new Listener(CONTROLLER_LISTENER, "PLAINTEXT", controllerPort, false));
  }

  /**
   * One node holds every replica: internal topics get replication factor and min ISR 1, and one
   * partition each (the production default of 50 only slows a dev broker down).
   */
  private static void putSingleNodeReplication(Map<String, String> p) {
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
  }

  /** The secured client listeners on {@code securePorts} (by name), advertised as the client's. */
  private List<Listener> secureListeners(Map<String, Integer> securePorts) {
    List<Listener> listeners = new ArrayList<>();
    for (SecureListener secure : secureListeners) {
      Integer port = securePorts.get(secure.name());
      if (port == null) {
        throw new IllegalArgumentException("no port for listener " + secure.name());
      }
      listeners.add(new Listener(secure.name(), secure.protocol(), port, true));
    }
    return listeners;
  }

  private static String join(List<Listener> listeners, Function<Listener, String> part) {
    return listeners.stream().map(part).collect(Collectors.joining(","));
  }

  /**
   * A named listener on 127.0.0.1 with its security protocol; an advertised one is what clients are
   * told to connect to.
   */
  private record Listener(String name, String protocol, int port, boolean advertised) {
    String address() {
      return name + "://" + Ports.LOOPBACK + ":" + port;
    }

    String protocolMapping() {
      return name + ":" + protocol;
    }
  }
}
