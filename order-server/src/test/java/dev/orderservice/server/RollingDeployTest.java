package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rolling deploys and scale-downs with SIGTERM, on both consumer group protocols, while orders
 * stream in at 300 a second: a stopped instance leaves the group, so the others take its partitions
 * over within seconds instead of after the session timeout (45 s), and a restart with the same id
 * after a SIGTERM resumes as fast. Each gap is measured from the moment the stopped process exited
 * to the moment every partition's committed offset moved past where it stood then, and printed.
 */
class RollingDeployTest {

  /** The bound of the issue: the partitions are consumed again within 5 s. */
  private static final Duration BOUND = Duration.ofSeconds(5);

  private static final int PARTITIONS = 3;

  @TempDir Path dataDir;

  private final RandomOrders orders = new RandomOrders(2_027);
  private final Map<String, Order> sent = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private String jdbcUrl;
  private String topic;
  private Admin admin;

  @AfterEach
  void stop() throws Exception {
    ticker.shutdownNow();
    ticker.awaitTermination(10, TimeUnit.SECONDS);
    if (admin != null) {
      admin.close();
    }
  }

  @ParameterizedTest(name = "{0} protocol")
  @ValueSource(strings = {"classic", "consumer"})
  void replacingAndScalingDownWithSigtermHandsThePartitionsOverWithinSeconds(String protocol)
      throws Exception {
    jdbcUrl = TestStack.jdbcUrlWithOwnSchema("rollout");
    topic = TestStack.newTopic("rollout");
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.kafkaBrokers()));
    KafkaProducer<byte[], byte[]> producer = TestStack.producer();
    ticker.scheduleAtFixedRate(() -> send(producer, 30), 0, 100, TimeUnit.MILLISECONDS);

    Map<String, String> envA = env(protocol, "host-a");
    ChildServer a = ChildServer.start("rollout-" + protocol + "-a", envA);
    ChildServer b = null;
    try {
      a.awaitListening(Duration.ofSeconds(60));
      awaitEveryPartitionMovesPast(committed(), Duration.ofSeconds(60));

      // A rolling replace: the new instance (another host name, so another static id) starts,
      // then the old one gets SIGTERM.
      b = ChildServer.start("rollout-" + protocol + "-b", env(protocol, "host-b"));
      b.awaitListening(Duration.ofSeconds(60));
      awaitEveryPartitionMovesPast(committed(), Duration.ofSeconds(60));
      long replaced = stopAndMeasure(a, "replace");

      // The old one comes back with its id after its SIGTERM, then the group scales down to it.
      a = ChildServer.start("rollout-" + protocol + "-a2", envA);
      a.awaitListening(Duration.ofSeconds(60));
      awaitEveryPartitionMovesPast(committed(), Duration.ofSeconds(60));
      long scaledDown = stopAndMeasure(b, "scale-down");
      System.out.printf(
          "RollingDeployTest: %s protocol: replace %d ms, scale-down %d ms%n",
          protocol, replaced, scaledDown);
      TestNotes.write(
          "rolling-deploy-" + protocol,
          "RollingDeployTest: "
              + protocol
              + " protocol: every partition consumed again "
              + replaced
              + " ms after a replaced instance exited, "
              + scaledDown
              + " ms after a scale-down");

      ticker.shutdownNow();
      ticker.awaitTermination(10, TimeUnit.SECONDS);
      producer.close();
      Map<TopicPartition, Long> ends = endOffsets();
      await().atMost(Duration.ofSeconds(60)).until(() -> committed().equals(ends));
      assertThat(TestStack.countOrders(jdbcUrl)).isEqualTo(sent.size());
      assertThat(a.log()).anyMatch(line -> line.contains(protocol + " protocol"));
    } finally {
      for (ChildServer server : new ChildServer[] {a, b}) {
        if (server != null) {
          server.close();
        }
      }
    }
  }

  /**
   * SIGTERM, once both members of the group own partitions (so the one stopped has some to hand
   * over), then how long after the exit every partition's committed offset moved on.
   */
  private long stopAndMeasure(ChildServer server, String what) throws Exception {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(this::twoMembersOwnPartitions);
    server.terminate();
    assertThat(server.process().waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s").isTrue();
    assertThat(server.process().exitValue()).as(server.logText()).isZero();
    long exited = System.nanoTime();
    Map<TopicPartition, Long> atExit = committed();
    awaitEveryPartitionMovesPast(atExit, BOUND.plusSeconds(55));
    long gap = (System.nanoTime() - exited) / 1_000_000;
    assertThat(gap)
        .as(what + ": ms until every partition was consumed again")
        .isLessThan(BOUND.toMillis());
    return gap;
  }

  private void awaitEveryPartitionMovesPast(Map<TopicPartition, Long> offsets, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Map<TopicPartition, Long> now = committed();
              for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition partition = new TopicPartition(topic, p);
                if (now.getOrDefault(partition, -1L) <= offsets.getOrDefault(partition, -1L)) {
                  return false;
                }
              }
              return true;
            });
  }

  private boolean twoMembersOwnPartitions() throws Exception {
    String group = topic + "-group";
    ConsumerGroupDescription description =
        admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    return description.members().size() == 2
        && description.members().stream()
            .allMatch(member -> !member.assignment().topicPartitions().isEmpty());
  }

  private void send(KafkaProducer<byte[], byte[]> producer, int count) {
    for (int i = 0; i < count; i++) {
      Order order = orders.next();
      producer.send(
          new ProducerRecord<>(
              topic, order.orderUid().getBytes(UTF_8), OrderCodec.standard().encode(order)),
          (metadata, failure) -> {
            if (failure == null) {
              sent.put(order.orderUid(), order);
            }
          });
    }
  }

  private Map<String, String> env(String protocol, String host) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("DB_DSN", jdbcUrl);
    env.put("KAFKA_BROKER", TestStack.kafkaBrokers());
    env.put("KAFKA_TOPIC", topic);
    env.put("KAFKA_GROUP", topic + "-group");
    env.put("KAFKA_GROUP_PROTOCOL", protocol);
    env.put("HTTP_ADDR", "127.0.0.1:" + freePort());
    env.put("HOSTNAME", host);
    env.put("DATA_DIR", dataDir.resolve(host).toString());
    return env;
  }

  private Map<TopicPartition, Long> committed() throws Exception {
    return GroupOffsets.committed(admin, topic + "-group");
  }

  private Map<TopicPartition, Long> endOffsets() throws Exception {
    return GroupOffsets.ends(admin, topic, PARTITIONS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
