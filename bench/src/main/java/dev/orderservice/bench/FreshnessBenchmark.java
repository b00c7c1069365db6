package dev.orderservice.bench;

import dev.orderservice.domain.EncodedOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code bench/run freshness}: how soon an order sent to Kafka is seen. Two servers (their own
 * JVMs) consume one topic as one group; a producer sends orders at a steady rate, keyed by uid; for
 * each order the benchmark notes when (a) the live feed of the instance that did not store it
 * announces it and (b) {@code GET /orders/{uid}} answers 200 (a sample, read back every 2 ms, from
 * the two instances in turn). Targets: p99 at most 50 ms and p50 at most 15 ms at 1,000 orders/s,
 * p99 at most 100 ms at 5,000 orders/s, for both.
 *
 * <p>Where the time goes: send to Kafka's acknowledgement (the producer), send to the commit in
 * PostgreSQL ({@code pg_xact_commit_timestamp}, when {@code track_commit_timestamp} is on, as it is
 * on the embedded server), commit to the announcement at the client, and the servers' own stage
 * timers ({@code order_ingest_stage_seconds}, {@code order_live_stage_seconds}).
 */
final class FreshnessBenchmark {

  private static final Duration SETTLE_AT_MOST = Duration.ofSeconds(60);

  private final Options options;
  private final Path work;
  private final List<ServerProcess> servers = new ArrayList<>();
  private final List<FeedWatcher> feeds = new ArrayList<>();
  private final Map<Integer, Integer> owners = new HashMap<>();
  private String jdbcUrl;

  private FreshnessBenchmark(Options options, Path work) {
    this.options = options;
    this.work = work;
  }

  static void run(Options options) throws Exception {
    Path work = Files.createTempDirectory("bench-freshness-");
    System.err.println("work directory (server logs): " + work);
    new FreshnessBenchmark(options, work).run();
    HttpBenchmark.deleteTree(work);
  }

  private void run() throws Exception {
    Path jar = Path.of(options.text("server-jar", "order-server/target/order-server.jar"));
    int partitions = options.integer("partitions", 6);
    int seconds = options.integer("duration", 20);
    int warmUpSeconds = options.integer("warmup", 30);
    int warmUpRate = options.integer("warmup-rate", 3_000);
    int readBacksPerSecond = options.integer("read-backs", 100);
    int[] rates =
        Arrays.stream(options.text("rates", "1000,5000").split(","))
            .mapToInt(r -> Integer.parseInt(r.trim()))
            .toArray();
    List<String> jvm = List.of(options.text("server-jvm", "-Xms1g -Xmx1g").split(" "));
    String load = HttpBenchmark.loadAverage();
    String run = Long.toString(System.currentTimeMillis(), 36);
    String topic = "freshness-" + run;
    try (BenchDatabase database = BenchDatabase.start(Map.of("track_commit_timestamp", "on"));
        BenchKafka kafka = BenchKafka.start();
        Admin admin = Admin.create(adminConfig(kafka.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, Optional.of(partitions), Optional.empty()),
                  new NewTopic(topic + "-dlq", Optional.of(1), Optional.empty())))
          .all()
          .get();
      jdbcUrl = database.freshDatabase("bench_freshness");
      String group = "bench-freshness-" + run;
      for (String name : List.of("a", "b")) {
        ServerProcess server =
            ServerProcess.start(
                jar,
                work,
                "server-" + name,
                jvm,
                List.of(
                    "--db-dsn",
                    jdbcUrl,
                    "--kafka-broker",
                    kafka.bootstrapServers(),
                    "--kafka-topic",
                    topic,
                    "--kafka-dlq-topic",
                    topic + "-dlq",
                    "--kafka-group",
                    group,
                    "--kafka-instance-id",
                    "bench-" + name,
                    "--data-dir",
                    work.resolve("data-" + name).toString()));
        servers.add(server);
        server.awaitWarmedUp(Duration.ofMinutes(5));
      }
      awaitAssignment(admin, group, partitions);
      for (int i = 0; i < servers.size(); i++) {
        feeds.add(FeedWatcher.open(servers.get(i).baseUri(), "server-" + (char) ('a' + i)));
      }
      boolean commitTimes = commitTimestampsOn();
      System.out.printf(
          "freshness: 2 servers (own JVMs, %s), one group, topic of %d partitions; producer"
              + " acks=all, linger.ms=5 (Kafka's default), keyed by uid; load average at start"
              + " %s%n",
          String.join(" ", jvm), partitions, load);
      int total =
          warmUpRate * warmUpSeconds + Arrays.stream(rates).map(r -> r * (seconds + 5)).sum();
      List<EncodedOrder> orders = BenchOrders.generate(total);
      int next = 0;
      // The JIT compiles the servers' hot paths for minutes at a gentle rate: a brisk warm-up
      // first.
      System.err.printf(
          "warm-up: %,d orders/s for %d s, not measured...%n", warmUpRate, warmUpSeconds);
      FreshnessPhase jit =
          new FreshnessPhase(orders.subList(0, warmUpRate * warmUpSeconds), warmUpRate, 0);
      next += warmUpRate * warmUpSeconds;
      try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers());
          ReadBackProbe readBack =
              new ReadBackProbe(
                  servers.stream().map(ServerProcess::baseUri).toList(),
                  2,
                  Duration.ofMillis(2).toNanos(),
                  Duration.ofSeconds(30).toNanos())) {
        jit.send(producer, topic, null);
        awaitSeen(jit, null);
        for (int rate : rates) {
          int warmUpCount = rate * 5;
          System.err.printf("%,d orders/s: 5 s not measured...%n", rate);
          FreshnessPhase warmUp =
              new FreshnessPhase(orders.subList(next, next + warmUpCount), rate, 0);
          warmUp.send(producer, topic, null);
          awaitSeen(warmUp, null);
          next += warmUpCount;
          int count = rate * seconds;
          System.err.printf("%,d orders/s: %d s measured...%n", rate, seconds);
          ServerStages before = ServerStages.scrape(servers);
          FreshnessPhase phase =
              new FreshnessPhase(orders.subList(next, next + count), rate, readBacksPerSecond);
          phase.send(producer, topic, readBack);
          awaitSeen(phase, readBack);
          next += count;
          ServerStages after = ServerStages.scrape(servers);
          checkAssignment(admin, group);
          new FreshnessReport(phase, feeds, owners, readBack, commitTimes ? commits(phase) : null)
              .print(HttpBenchmark.loadAverage(), after.since(before));
        }
      } finally {
        for (FeedWatcher feed : feeds) {
          feed.close();
        }
        for (ServerProcess server : servers) {
          server.close();
        }
      }
    }
  }

  /** Waits until both feeds have announced every order of the phase and its reads are done. */
  private void awaitSeen(FreshnessPhase phase, ReadBackProbe readBack) throws Exception {
    long deadline = System.nanoTime() + SETTLE_AT_MOST.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = readBack == null || readBack.pending() == 0;
      for (int i = phase.orders.size() - 1; all && i >= 0; i--) {
        String uid = phase.orders.get(i).orderUid();
        for (FeedWatcher feed : feeds) {
          all &= feed.arrival(uid) != null;
        }
      }
      if (all) {
        return;
      }
      Thread.sleep(100); // polling the feeds' notes, not the servers
    }
    throw new IllegalStateException(
        String.format(
            "not every order was announced on both feeds within %s: the feeds saw %,d and %,d,"
                + " the database holds %,d orders, %,d read-backs pending; server logs in %s",
            SETTLE_AT_MOST,
            feeds.get(0).seen(),
            feeds.get(1).seen(),
            storedOrders(),
            readBack == null ? 0 : readBack.pending(),
            work));
  }

  /** Waits until both servers have partitions, and notes which server owns which partition. */
  private void awaitAssignment(Admin admin, String group, int partitions) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      Map<Integer, Integer> found = assignment(admin, group);
      if (found.size() == partitions && found.containsValue(0) && found.containsValue(1)) {
        owners.putAll(found);
        System.err.println("partitions of server a and b: " + owners);
        return;
      }
      Thread.sleep(200); // the group is still forming
    }
    throw new IllegalStateException("the two servers did not share the partitions in 2 minutes");
  }

  private void checkAssignment(Admin admin, String group) throws Exception {
    Map<Integer, Integer> now = assignment(admin, group);
    if (!now.equals(owners)) {
      System.out.println(
          "  NOTE: the partitions moved during the run (" + owners + " -> " + now + ")");
    }
  }

  private static Map<Integer, Integer> assignment(Admin admin, String group) throws Exception {
    ConsumerGroupDescription description =
        admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
    Map<Integer, Integer> owners = new HashMap<>();
    for (MemberDescription member : description.members()) {
      int server = member.groupInstanceId().orElse("").endsWith("a") ? 0 : 1;
      for (TopicPartition p : member.assignment().topicPartitions()) {
        owners.put(p.partition(), server);
      }
    }
    return owners;
  }

  private long storedOrders() throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select count(*) from orders")) {
      r.next();
      return r.getLong(1);
    }
  }

  private boolean commitTimestampsOn() throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("show track_commit_timestamp")) {
      r.next();
      return "on".equals(r.getString(1));
    }
  }

  /** When each order of the phase was committed in PostgreSQL, on this JVM's nanoTime clock. */
  private Map<String, Long> commits(FreshnessPhase phase) throws Exception {
    Instant wall = Instant.now();
    long nano = System.nanoTime();
    long wallMicros = wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1_000;
    Map<String, Long> commits = new HashMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        PreparedStatement s =
            c.prepareStatement(
                "select order_uid, (extract(epoch from pg_xact_commit_timestamp(xmin)) * 1000000)"
                    + "::bigint from orders where order_uid = any(?)")) {
      s.setArray(
          1,
          c.createArrayOf(
              "text", phase.orders.stream().map(EncodedOrder::orderUid).toArray(String[]::new)));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          commits.put(r.getString(1), nano + (r.getLong(2) - wallMicros) * 1_000);
        }
      }
    }
    return commits;
  }

  private static Properties adminConfig(String bootstrapServers) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-freshness");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }
}
