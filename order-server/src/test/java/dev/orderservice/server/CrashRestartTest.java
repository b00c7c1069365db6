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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers killed with SIGKILL in the middle of a stream and started again at once, as the OOM
 * killer and a supervisor would: they consume again within seconds (static group membership, the
 * default), and nothing is lost, stored twice or stored in part.
 *
 * <p>Records are produced at a steady rate from before the first start until after the last
 * restart, so every kill falls in the middle of the stream however long the restarts take; then
 * production stops once at least {@link #MIN_RECORDS} were sent.
 */
class CrashRestartTest {

  private static final int MIN_RECORDS = 24_000;
  private static final int PER_TICK = 100;
  private static final Duration TICK = Duration.ofMillis(100);

  /** Every 100th record is not an order, every 100th from the 50th an invalid one. */
  private static final int BAD_EVERY = 100;

  /** The bound of the issue: consuming again within 5 s of the HTTP port answering. */
  private static final Duration RESUME_BOUND = Duration.ofSeconds(5);

  @TempDir Path dataDir;

  private String jdbcUrl;
  private String topic;
  private String group;
  private Admin admin;
  private StreamProducer producer;

  @BeforeEach
  void createTopicAndSchema() {
    jdbcUrl = TestStack.jdbcUrlWithOwnSchema("crash");
    topic = TestStack.newTopic("crash");
    group = topic + "-group";
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.kafkaBrokers()));
    producer = new StreamProducer(topic);
  }

  @AfterEach
  void close() {
    producer.close();
    admin.close();
  }

  @Test
  void aServerKilledThreeTimesMidStreamResumesWithinSecondsAndStoresEverythingOnce()
      throws Exception {
    Map<String, String> env = serverEnv(freePort());
    producer.start();
    ChildServer server = ChildServer.start("crash-0", env);
    try {
      server.awaitListening(Duration.ofSeconds(60));
      for (int kill = 1; kill <= 3; kill++) {
        long before = committed();
        await().atMost(Duration.ofSeconds(60)).until(() -> committed() >= before + 2_000);
        server.kill();
        long atKill = committed();
        server = ChildServer.start("crash-" + kill, env);
        Http http = server.awaitListening(Duration.ofSeconds(60));
        long answeredAt = awaitAnswering(http);
        ChildServer restarted = server;
        await()
            .atMost(RESUME_BOUND)
            .pollInterval(Duration.ofMillis(100))
            .failFast("the restarted server died", () -> !restarted.process().isAlive())
            .until(() -> committed() > atKill);
        long resumedMillis = (System.nanoTime() - answeredAt) / 1_000_000;
        System.out.printf(
            "CrashRestartTest: restart %d consuming again %d ms after its HTTP port answered%n",
            kill, resumedMillis);
      }
      producer.finish();
      await().atMost(Duration.ofSeconds(120)).until(producer::isDone);
      Map<TopicPartition, Long> ends = endOffsets();
      await().atMost(Duration.ofSeconds(120)).until(() -> committedOffsets().equals(ends));
    } finally {
      server.close();
    }

    assertEveryValidOrderStoredOnceAndWhole();
    assertEveryBadRecordDeadLettered();
  }

  @Test
  void twoInstancesOnOneHostRestartedInTurnDoNotFenceEachOther() throws Exception {
    Map<String, String> envA = serverEnv(freePort());
    Map<String, String> envB = serverEnv(freePort());
    producer.start();
    ChildServer a = ChildServer.start("pair-a-0", envA);
    ChildServer b = ChildServer.start("pair-b-0", envB);
    try {
      a.awaitListening(Duration.ofSeconds(60));
      b.awaitListening(Duration.ofSeconds(60));
      for (int round = 1; round <= 2; round++) {
        long before = committed();
        await().atMost(Duration.ofSeconds(60)).until(() -> committed() >= before + 2_000);
        a.kill();
        a = ChildServer.start("pair-a-" + round, envA);
        a.awaitListening(Duration.ofSeconds(60));
        long afterA = committed();
        await().atMost(Duration.ofSeconds(60)).until(() -> committed() >= afterA + 2_000);
        b.kill();
        b = ChildServer.start("pair-b-" + round, envB);
        b.awaitListening(Duration.ofSeconds(60));
      }
      producer.finish();
      await().atMost(Duration.ofSeconds(120)).until(producer::isDone);
      Map<TopicPartition, Long> ends = endOffsets();
      await().atMost(Duration.ofSeconds(120)).until(() -> committedOffsets().equals(ends));
      for (ChildServer server : List.of(a, b)) {
        assertThat(server.process().isAlive()).as(server.logText()).isTrue();
        assertThat(server.log())
            .as("no instance was fenced by the other")
            .noneMatch(line -> line.contains("FencedInstanceId"));
      }
      assertThat(a.log()).anyMatch(line -> line.contains("static member"));
    } finally {
      a.close();
      b.close();
    }

    assertEveryValidOrderStoredOnceAndWhole();
    assertEveryBadRecordDeadLettered();
  }

  private Map<String, String> serverEnv(int port) {
    return Map.of(
        "DB_DSN",
        jdbcUrl,
        "KAFKA_BROKER",
        TestStack.kafkaBrokers(),
        "KAFKA_TOPIC",
        topic,
        "KAFKA_GROUP",
        group,
        "HTTP_ADDR",
        "127.0.0.1:" + port,
        "HOSTNAME",
        "crash-test-host",
        "DATA_DIR",
        dataDir.resolve("port-" + port).toString());
  }

  /** When {@code /healthz} first answers, as a {@link System#nanoTime()} reading. */
  private static long awaitAnswering(Http http) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> http.get("/healthz").statusCode() == 200);
    return System.nanoTime();
  }

  private void assertEveryValidOrderStoredOnceAndWhole() throws Exception {
    Map<String, Order> valid = producer.validOrders();
    Map<String, byte[]> stored = new HashMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement()) {
      try (ResultSet rows = s.executeQuery("select order_uid, canonical_json from orders")) {
        while (rows.next()) {
          stored.put(rows.getString(1), rows.getBytes(2));
        }
      }
      try (ResultSet partial =
          s.executeQuery(
              "select count(*) from orders o"
                  + " where not exists (select 1 from delivery d where d.order_uid = o.order_uid)"
                  + " or not exists (select 1 from payment p where p.order_uid = o.order_uid)"
                  + " or (select count(*) from items i where i.order_uid = o.order_uid)"
                  + " <> jsonb_array_length(convert_from(o.canonical_json, 'UTF8')::jsonb"
                  + " -> 'items')")) {
        partial.next();
        assertThat(partial.getLong(1)).as("orders stored in part").isZero();
      }
    }
    assertThat(stored).hasSameSizeAs(valid);
    valid.forEach(
        (uid, order) ->
            assertThat(stored.get(uid)).as(uid).isEqualTo(OrderCodec.standard().encode(order)));
  }

  private void assertEveryBadRecordDeadLettered() {
    Set<String> sources = new HashSet<>();
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.kafkaBrokers(),
            ConsumerConfig.GROUP_ID_CONFIG, TestStack.uniqueName("dlq-reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic + ".dlq"));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> letter :
                    consumer.poll(Duration.ofMillis(200))) {
                  sources.add(
                      header(letter, "__connect.errors.partition")
                          + "@"
                          + header(letter, "__connect.errors.offset"));
                }
                return sources.size() >= producer.badRecords().size();
              });
    }
    assertThat(sources).as("distinct source offsets").isEqualTo(producer.badRecords());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), UTF_8);
  }

  private long committed() throws Exception {
    return committedOffsets().values().stream().mapToLong(Long::longValue).sum();
  }

  private Map<TopicPartition, Long> committedOffsets() throws Exception {
    return GroupOffsets.committed(admin, group);
  }

  private Map<TopicPartition, Long> endOffsets() throws Exception {
    return GroupOffsets.ends(admin, topic, 3);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * {@link #PER_TICK} records every {@link #TICK}, each acknowledged, until {@link #finish()} is
   * called and at least {@link #MIN_RECORDS} were sent; one in {@link #BAD_EVERY} is not a
   * well-formed document, another in as many is an invalid order.
   */
  private static final class StreamProducer implements AutoCloseable {
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer = TestStack.producer();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RandomOrders orders = new RandomOrders(20261130);
    private final Map<String, Order> valid = new ConcurrentHashMap<>();
    private final Set<String> bad = ConcurrentHashMap.newKeySet();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean finishing;
    private volatile boolean stopped;
    private volatile int sent;

    StreamProducer(String topic) {
      this.topic = topic;
    }

    void start() {
      scheduler.scheduleAtFixedRate(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stop producing once at least {@link #MIN_RECORDS} were sent. */
    void finish() {
      finishing = true;
    }

    /** Whether it stopped and every record it sent was acknowledged. */
    boolean isDone() {
      if (failure.get() != null) {
        throw new IllegalStateException("producing failed", failure.get());
      }
      return stopped && acknowledged.get() == sent;
    }

    Map<String, Order> validOrders() {
      return Map.copyOf(valid);
    }

    /** {@code partition@offset} of each record that is not a valid order. */
    Set<String> badRecords() {
      return Set.copyOf(bad);
    }

    private void tick() {
      if (stopped) {
        return;
      }
      if (finishing && sent >= MIN_RECORDS) {
        stopped = true;
        return;
      }
      for (int i = 0; i < PER_TICK; i++, sent++) {
        Order order = orders.next();
        byte[] value;
        boolean isBad = true;
        if (sent % BAD_EVERY == 0) {
          value = ("{\"order_uid\": \"" + order.orderUid() + "\", ").getBytes(UTF_8);
        } else if (sent % BAD_EVERY == BAD_EVERY / 2) {
          value =
              new String(OrderCodec.standard().encode(order), UTF_8)
                  .replace("\"currency\":\"", "\"currency\":\"x")
                  .getBytes(UTF_8);
        } else {
          value = OrderCodec.standard().encode(order);
          isBad = false;
        }
        boolean rejected = isBad;
        producer.send(
            new ProducerRecord<>(topic, order.orderUid().getBytes(UTF_8), value),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
                return;
              }
              if (rejected) {
                bad.add(metadata.partition() + "@" + metadata.offset());
              } else {
                valid.put(order.orderUid(), order);
              }
              acknowledged.incrementAndGet();
            });
      }
    }

    @Override
    public void close() {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(10));
    }
  }
}
