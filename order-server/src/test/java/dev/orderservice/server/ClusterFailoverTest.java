package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.devstack.KafkaCluster;
import dev.orderservice.server.config.ServerOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The service on a real cluster: three KRaft brokers, every partition on three of them, {@code
 * min.insync.replicas=2}. The broker that leads the most partitions of the order topic is killed
 * while orders stream in, and the stream goes on: every acknowledged valid order is stored exactly
 * once, every bad record is dead-lettered, and the group commits the end of every partition.
 */
class ClusterFailoverTest {

  /** Seven partitions on three brokers: one broker leads three of them, the others two. */
  private static final int PARTITIONS = 7;

  /** Six seconds of records at the stream's pace. */
  private static final int RECORDS = 2_400;

  /** The kill comes once this many records are acknowledged: a third of the way in. */
  private static final int KILL_AFTER = 800;

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Test
  void killingTheBrokerThatLeadsMostPartitionsLosesNoOrderAndLeavesNothingStuck() throws Exception {
    long began = System.nanoTime();
    // The test PostgreSQL starts (if it is the first test of the JVM) while the cluster does.
    CompletableFuture<String> schema =
        CompletableFuture.supplyAsync(() -> TestStack.jdbcUrlWithOwnSchema("cluster"));
    try (KafkaCluster cluster = KafkaCluster.builder().nodes(3).build()) {
      cluster.start();
      long clusterStarted = System.nanoTime();
      String topic = TestStack.uniqueName("cluster");
      String deadLetters = topic + ".dlq";
      String group = topic + "-group";
      cluster.createTopic(topic, PARTITIONS);
      cluster.createTopic(deadLetters, 1);
      String jdbcUrl = schema.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

      try (OrderServer server = startServer(jdbcUrl, cluster.bootstrapServers(), topic, group);
          ClusterStream stream = new ClusterStream(cluster.bootstrapServers(), topic, RECORDS);
          StoredCountSampler sampler = new StoredCountSampler(jdbcUrl, stream::acknowledgedValid);
          Admin admin = admin(cluster)) {
        long serverStarted = System.nanoTime();
        // Asked before the stream starts, so that the kill follows the KILL_AFTER-th ack at once:
        // while every broker runs, the leaders stay where the topic's creation put them.
        int victim = cluster.leaderOfMostPartitions(topic);
        Map<Integer, Integer> ledBefore = cluster.partitionsLedByNode(topic);
        int deadLetterLeader = cluster.leaderOfMostPartitions(deadLetters);
        int coordinator = awaitGroupJoined(admin, group);
        stream.start();
        await()
            .atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(10))
            .until(() -> stream.acknowledged() >= KILL_AFTER);
        int acknowledgedAtKill = stream.acknowledged();
        long killedAt = System.nanoTime();
        cluster.kill(victim);

        await().atMost(DEADLINE).until(stream::isDone);
        long streamed = System.nanoTime();
        assertThat(stream.failures())
            .as("every record is acknowledged in the end: the producer rides out the failover")
            .isEmpty();
        Map<TopicPartition, Long> ends = GroupOffsets.ends(admin, topic, PARTITIONS);
        await()
            .atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> GroupOffsets.committed(admin, group).equals(ends));
        long settled = System.nanoTime();

        assertThat(acknowledgedAtKill).as("killed mid-stream").isLessThan(RECORDS * 2 / 3);
        assertThat(cluster.partitionsLedByNode(topic)).doesNotContainKey(victim);
        Map<String, byte[]> valid = stream.validOrders();
        List<StoredOrder> stored = storedOrders(jdbcUrl);
        assertThat(stored)
            .extracting(StoredOrder::uid)
            .as("every acknowledged valid order, stored once, and nothing else")
            .hasSize(valid.size())
            .containsExactlyInAnyOrderElementsOf(valid.keySet());
        assertThat(stored)
            .as("stored as sent")
            .allSatisfy(order -> assertThat(order.json()).isEqualTo(valid.get(order.uid())));
        Map<String, Integer> letters = deadLettersBySource(cluster, deadLetters);
        assertThat(letters.keySet())
            .as("every bad record in the dead-letter topic, by source partition@offset")
            .isEqualTo(stream.badSources());
        assertThat(new Http(server).get("/readyz").statusCode()).isEqualTo(200);

        long duplicateLetters = letters.values().stream().filter(n -> n > 1).count();
        TestNotes.write(
            "ClusterFailoverTest",
            String.format(
                "ClusterFailoverTest: killed node %d (leaders %s of %d partitions; the"
                    + " dead-letter partition's leader was node %d, the group coordinator"
                    + " node %d); %d valid orders"
                    + " stored once, %d bad records dead-lettered (%d twice or more); longest"
                    + " wait for a partition's ack %d ms, longest ingest standstill %d ms;"
                    + " cluster start %d ms, server start %d ms, streaming after the kill %d ms,"
                    + " settling %d ms",
                victim,
                ledBefore,
                PARTITIONS,
                deadLetterLeader,
                coordinator,
                valid.size(),
                letters.size(),
                duplicateLetters,
                stream.longestAckGapMillis(),
                sampler.longestStandstillMillis(),
                millis(began, clusterStarted),
                millis(clusterStarted, serverStarted),
                millis(killedAt, streamed),
                millis(streamed, settled)));
      }
    }
  }

  private static OrderServer startServer(
      String jdbcUrl, String bootstrapServers, String topic, String group) {
    String[] args = {
      "--http-addr", "127.0.0.1:0",
      "--db-dsn", jdbcUrl,
      "--kafka-broker", bootstrapServers,
      "--kafka-topic", topic,
      "--kafka-group", group
    };
    return OrderServer.start(ServerOptions.parse(args, Map.of()));
  }

  private static Admin admin(KafkaCluster cluster) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            cluster.bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) DEADLINE.toMillis()));
  }

  /**
   * Waits until the server's consumer has joined its group and holds every partition.
   *
   * @return the node that coordinates the group
   */
  private static int awaitGroupJoined(Admin admin, String group) {
    AtomicReference<ConsumerGroupDescription> joined = new AtomicReference<>();
    await()
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              ConsumerGroupDescription description =
                  admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
              joined.set(description);
              return description.groupState() == GroupState.STABLE
                  && description.members().stream()
                          .mapToInt(m -> m.assignment().topicPartitions().size())
                          .sum()
                      == PARTITIONS;
            });
    return joined.get().coordinator().id();
  }

  private record StoredOrder(String uid, byte[] json) {}

  private static List<StoredOrder> storedOrders(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("select order_uid, canonical_json from orders")) {
      List<StoredOrder> stored = new ArrayList<>();
      while (rows.next()) {
        stored.add(new StoredOrder(rows.getString(1), rows.getBytes(2)));
      }
      return stored;
    }
  }

  /**
   * The dead-letter topic read to its end: how many letters each source record ({@code
   * partition@offset} of the order topic, from the letter's headers) has.
   */
  private static Map<String, Integer> deadLettersBySource(KafkaCluster cluster, String topic) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, TestStack.uniqueName("dlq-reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, Integer> letters = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition only = new TopicPartition(topic, 0);
      consumer.assign(List.of(only));
      long end = consumer.endOffsets(List.of(only)).get(only);
      consumer.seekToBeginning(List.of(only));
      await()
          .atMost(DEADLINE)
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> letter :
                    consumer.poll(Duration.ofMillis(200))) {
                  letters.merge(
                      header(letter, "__connect.errors.partition")
                          + "@"
                          + header(letter, "__connect.errors.offset"),
                      1,
                      Integer::sum);
                }
                return consumer.position(only) >= end;
              });
    }
    return letters;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), UTF_8);
  }

  private static long millis(long from, long to) {
    return (to - from) / 1_000_000;
  }

  /**
   * How many orders the schema holds, every 100 ms, to tell afterwards how long the ingest stood
   * still while acknowledged orders were waiting for it.
   */
  private static final class StoredCountSampler implements AutoCloseable {
    private final String jdbcUrl;
    private final LongSupplier acknowledged;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong longest = new AtomicLong();
    private long lastCount = -1;
    private long unchangedSince;

    StoredCountSampler(String jdbcUrl, LongSupplier acknowledged) {
      this.jdbcUrl = jdbcUrl;
      this.acknowledged = acknowledged;
      scheduler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
    }

    /** The longest time the count did not move although acknowledged orders were not stored. */
    long longestStandstillMillis() {
      return longest.get() / 1_000_000;
    }

    private void sample() {
      long now = System.nanoTime();
      long count;
      try {
        count = TestStack.countOrders(jdbcUrl);
      } catch (RuntimeException e) {
        return; // the server's migration has not created the table yet
      }
      if (count != lastCount) {
        lastCount = count;
        unchangedSince = now;
      } else if (acknowledged.getAsLong() > count) {
        longest.accumulateAndGet(now - unchangedSince, Math::max);
      } else {
        unchangedSince = now; // nothing to store: idle, not stuck
      }
    }

    @Override
    public void close() throws InterruptedException {
      scheduler.shutdownNow();
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
