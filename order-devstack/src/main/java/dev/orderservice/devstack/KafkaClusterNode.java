package dev.orderservice.devstack;

import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node (broker and controller) of a {@link KafkaCluster}: its id, its two ports, its log
 * directory, and the in-process server while it runs.
 *
 * <p>Thread-safe: {@link #start} blocks until the node has joined its quorum and caught up with the
 * metadata, which needs a majority of the voters running, so the cluster starts its nodes on
 * threads of their own; {@link #stop()} may be called from any thread (during a start it waits for
 * the start to end, as Kafka's shutdown does).
 */
final class KafkaClusterNode {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);

  private final int nodeId;
  private final int clientPort;
  private final int controllerPort;
  private final KafkaLogDirectory logDirectory;

  private KafkaRaftServer server;
  private boolean stopped;

  KafkaClusterNode(int nodeId, int clientPort, int controllerPort, KafkaLogDirectory logDirectory) {
    this.nodeId = nodeId;
    this.clientPort = clientPort;
    this.controllerPort = controllerPort;
    this.logDirectory = logDirectory;
  }

  int nodeId() {
    return nodeId;
  }

  int clientPort() {
    return clientPort;
  }

  int controllerPort() {
    return controllerPort;
  }

  KafkaLogDirectory logDirectory() {
    return logDirectory;
  }

  /** {@code 127.0.0.1:PORT} of the client listener. */
  String address() {
    return Ports.LOOPBACK + ":" + clientPort;
  }

  /**
   * Starts the node with {@code properties} and blocks until it has caught up with the cluster's
   * metadata (or Kafka's {@code server.max.startup.time.ms} has passed).
   *
   * @throws RuntimeException what Kafka throws if the node cannot start
   */
  void start(Properties properties) {
    KafkaRaftServer created =
        new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
    synchronized (this) {
      if (stopped) {
        throw new IllegalStateException("node " + nodeId + " was stopped before it started");
      }
      server = created;
    }
    created.startup();
  }

  /** Whether the node was started and has not been stopped since. */
  synchronized boolean isRunning() {
    return server != null && !stopped;
  }

  /**
   * Shuts the server down and blocks until its threads are gone. Each node is configured with
   * {@code controlled.shutdown.enable=false}, so it neither asks the controller to move its
   * leaderships first nor waits for an answer: its sockets close, and the controller learns of the
   * loss only when its heartbeats stop. Idempotent; a failure is logged, not thrown.
   */
  void stop() {
    KafkaRaftServer running;
    synchronized (this) {
      stopped = true;
      running = server;
      server = null;
    }
    if (running == null) {
      return;
    }
    try {
      running.shutdown();
      running.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("Kafka node {} shutdown reported: {}", nodeId, e.toString());
    }
  }

  @Override
  public String toString() {
    return "node " + nodeId + " on " + address() + " (log dir " + logDirectory + ")";
  }
}
