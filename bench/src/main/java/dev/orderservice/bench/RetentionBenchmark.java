package dev.orderservice.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.OrderRetention;
import dev.orderservice.persistence.OrderRetention.Action;
import dev.orderservice.persistence.PostgresIngestPositions;
import dev.orderservice.persistence.PostgresOrderStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code bench/run retention}: the Kafka ingest at full speed with and without a retention run
 * ({@link OrderRetention}) working on the same database at the same time.
 *
 * <p>Each phase gets a fresh database holding the same {@code --orders} orders (uids {@code s...}),
 * their {@code date_created} drawn over the four years before the run's start, loaded with {@code
 * COPY} and analyzed; then {@link OrderIngest}, as a new consumer group, reads the {@code --ingest}
 * orders of the topic (uids {@code n...}, created at the run's start, produced and acknowledged
 * before any clock starts). In the retention phases a run with the cutoff "start minus {@value
 * #KEEP_YEARS} years" (so about a quarter of the stored orders are old) starts as the ingest's
 * first batch commits, on a connection of its own. The phases alternate: without retention, with
 * the anonymizing run, without, with the deleting run, without; each retention phase is compared
 * with the mean of the phases without retention right before and after it, so that a change in the
 * machine's other load during the run (it is shared) falls on both sides alike.
 *
 * <p>The ingest's rate is measured over what it stored from its first batch's commit to its end
 * (the group's join is not the ingest's speed), and, in a retention phase, over the retention's run
 * alone. Targets: the ingest during the retention at least 0.8x its rate without; no batch of the
 * retention holding its locks longer than 1 s. After each retention phase the database is checked:
 * exactly the stored orders created before the cutoff are anonymized (their delivery's phone is the
 * marker) or deleted with their rows, every other order and every ingested one is intact.
 */
final class RetentionBenchmark {

  private static final double TARGET_RATIO = 0.8;
  private static final Duration TARGET_LONGEST_BATCH = Duration.ofSeconds(1);
  private static final int KEEP_YEARS = 3;
  private static final int SPREAD_YEARS = 4;
  private static final Duration CHECK_EVERY = Duration.ofMillis(50);
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(15);
  private static final OrderCodec CODEC = OrderCodec.standard();

  private RetentionBenchmark() {}

  /** What one phase measured. */
  private record Phase(
      String name,
      double steadyRate,
      long ingestMillis,
      Optional<OrderRetention.Run> retention,
      double rateDuringRetention,
      long retentionOverlapMillis,
      String check) {}

  static void run(Options options) throws Exception {
    int storedCount = options.integer("orders", 100_000);
    int ingestCount = options.integer("ingest", 100_000);
    int partitions = options.integer("partitions", 3);
    String topic = options.text("topic", "orders-retention");
    List<Action> actions = actions(options.text("action", "both"));
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant cutoff = start.atZone(ZoneOffset.UTC).minus(Period.ofYears(KEEP_YEARS)).toInstant();
    List<Instant> createdAt = new ArrayList<>(storedCount);
    List<EncodedOrder> stored = storedOrders(storedCount, start, createdAt);
    long old = createdAt.stream().filter(at -> at.isBefore(cutoff)).count();
    List<EncodedOrder> live = liveOrders(ingestCount, start);

    List<Phase> phases = new ArrayList<>();
    try (BenchKafka kafka = BenchKafka.start();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        BenchDatabase database = BenchDatabase.start()) {
      IngestBenchmark.createTopic(admin, topic, partitions);
      IngestBenchmark.produce(kafka.bootstrapServers(), topic, live);
      Map<TopicPartition, Long> ends =
          IngestBenchmark.endOffsets(admin, topic, partitions, ingestCount);
      List<Optional<Action>> order = new ArrayList<>();
      order.add(Optional.empty());
      for (Action action : actions) {
        order.add(Optional.of(action));
        order.add(Optional.empty());
      }
      int n = 0;
      for (Optional<Action> action : order) {
        n++;
        String name = action.map(Action::label).orElse("without retention");
        String url = database.freshDatabase("bench_retention_" + n);
        // The ingest's store connections, its positions, the completion check, the retention.
        try (HikariDataSource db =
            OrderDatabase.pool(url, OrderIngest.DEFAULT_STORE_CONNECTIONS + 3, "bench-retention")) {
          Migrations.migrate(db);
          System.err.printf("phase %d (%s): loading %,d orders...%n", n, name, storedCount);
          CopyLoader.load(db, stored);
          execute(db, "vacuum analyze orders");
          if (n == 2) {
            printPlan(db, cutoff);
          }
          IngestBenchmark.Done done =
              new IngestBenchmark.Done(admin, "bench-retention-" + n, ends, ingestCount);
          Phase phase = phase(name, db, kafka, topic, done, action, cutoff);
          String check = action.isEmpty() ? "" : check(db, action.get(), cutoff, storedCount, old);
          phase =
              new Phase(
                  name,
                  phase.steadyRate(),
                  phase.ingestMillis(),
                  phase.retention(),
                  phase.rateDuringRetention(),
                  phase.retentionOverlapMillis(),
                  check);
          System.err.printf("phase %d (%s): ingest %,.0f orders/s%n", n, name, phase.steadyRate());
          phases.add(phase);
        }
      }
    }
    report(phases, storedCount, ingestCount, old, cutoff);
  }

  private static List<Action> actions(String text) {
    return switch (text) {
      case "anonymize" -> List.of(Action.ANONYMIZE);
      case "delete" -> List.of(Action.DELETE);
      case "both" -> List.of(Action.ANONYMIZE, Action.DELETE);
      default -> throw new IllegalArgumentException("--action: anonymize, delete or both");
    };
  }

  /** The ingest at full speed, and the retention started as its first batch commits. */
  private static Phase phase(
      String name,
      HikariDataSource db,
      BenchKafka kafka,
      String topic,
      IngestBenchmark.Done done,
      Optional<Action> action,
      Instant cutoff)
      throws Exception {
    EhcacheOrderCache cache = EhcacheOrderCache.builder().build();
    OrderIngest ingest =
        OrderIngest.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .topic(topic)
            .deadLetterTopic(topic + ".dlq")
            .groupId(done.group())
            .positions(new PostgresIngestPositions(db))
            .service(new OrderService(new PostgresOrderStore(db), cache))
            .build();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    Future<OrderRetention.Run> retention = null;
    long firstBatchAt = 0;
    long liveAtFirstBatch = 0;
    long retentionStartedAt = 0;
    long liveAtRetentionStart = 0;
    long retentionEndedAt = 0;
    long liveAtRetentionEnd = 0;
    long doneAt;
    try (ingest) {
      Future<?> running = threads.submit(ingest);
      long giveUpAt = System.nanoTime() + GIVE_UP_AFTER.toNanos();
      while (true) {
        if (running.isDone()) {
          running.get();
          throw new IllegalStateException("the ingest stopped: " + ingest.metrics());
        }
        if (firstBatchAt == 0 && ingest.metrics().batches() > 0) {
          firstBatchAt = System.nanoTime();
          liveAtFirstBatch = liveOrders(db);
          if (action.isPresent()) {
            retentionStartedAt = System.nanoTime();
            liveAtRetentionStart = liveAtFirstBatch;
            OrderRetention runner = new OrderRetention(db);
            retention = threads.submit(() -> runner.run(cutoff, action.get()));
          }
        }
        if (retention != null && retentionEndedAt == 0 && retention.isDone()) {
          retentionEndedAt = System.nanoTime();
          liveAtRetentionEnd = liveOrders(db);
        }
        if (done.committedToEnd() && liveOrders(db) == done.count()) {
          doneAt = System.nanoTime();
          break;
        }
        if (System.nanoTime() - giveUpAt > 0) {
          throw new IllegalStateException("not done after " + GIVE_UP_AFTER);
        }
        // Why a sleep: the benchmark polls the group's offsets and the store, as IngestBenchmark.
        Thread.sleep(CHECK_EVERY.toMillis());
      }
    }
    Optional<OrderRetention.Run> run = Optional.empty();
    if (retention != null) {
      run = Optional.of(retention.get(GIVE_UP_AFTER.toMillis(), TimeUnit.MILLISECONDS));
      if (retentionEndedAt == 0) {
        // It outlasted the ingest: the overlap ends with the ingest.
        retentionEndedAt = doneAt;
        liveAtRetentionEnd = done.count();
      }
    }
    threads.shutdown();
    threads.awaitTermination(1, TimeUnit.MINUTES);
    cache.close();
    double steady = (done.count() - liveAtFirstBatch) / ((doneAt - firstBatchAt) / 1e9);
    long overlapNanos = retentionEndedAt - retentionStartedAt;
    double during =
        overlapNanos > 0 ? (liveAtRetentionEnd - liveAtRetentionStart) / (overlapNanos / 1e9) : 0;
    return new Phase(
        name,
        steady,
        (doneAt - firstBatchAt) / 1_000_000,
        run,
        during,
        overlapNanos / 1_000_000,
        "");
  }

  /**
   * Checks that exactly the stored orders created before the cutoff were anonymized or deleted, and
   * that every ingested order is there; what was found, in words.
   *
   * @throws IllegalStateException if anything else was touched or anything old was left
   */
  private static String check(
      DataSource db, Action action, Instant cutoff, int storedCount, long old) throws SQLException {
    String cut = "'" + cutoff + "'::timestamptz";
    long storedLeft =
        count(db, "select count(*) from orders where order_uid >= 's' and order_uid < 't'");
    long oldLeft =
        count(
            db,
            "select count(*) from orders where order_uid >= 's' and order_uid < 't' and created_at < "
                + cut
                + (action == Action.ANONYMIZE ? " and erased_at is null" : ""));
    long erased = count(db, "select count(*) from orders where erased_at is not null");
    long newerErased =
        count(
            db, "select count(*) from orders where erased_at is not null and created_at >= " + cut);
    long phonesLeft =
        count(
            db,
            "select count(*) from orders o join delivery d on d.order_uid = o.order_uid"
                + " where o.erased_at is not null and d.phone <> '"
                + PersonalData.MARKER
                + "'");
    long expectedLeft = action == Action.DELETE ? storedCount - old : storedCount;
    long expectedErased = action == Action.ANONYMIZE ? old : 0;
    boolean exact =
        oldLeft == 0
            && storedLeft == expectedLeft
            && erased == expectedErased
            && newerErased == 0
            && phonesLeft == 0;
    String found =
        String.format(
            "stored orders left %,d (expected %,d), old ones not %s %d, anonymized %,d (expected"
                + " %,d), newer ones anonymized %d, anonymized with a phone left %d",
            storedLeft,
            expectedLeft,
            action == Action.ANONYMIZE ? "anonymized" : "deleted",
            oldLeft,
            erased,
            expectedErased,
            newerErased,
            phonesLeft);
    if (!exact) {
      throw new IllegalStateException(
          "the retention did not take exactly the old orders: " + found);
    }
    return "exactly the old ones: " + found;
  }

  private static void report(
      List<Phase> phases, int storedCount, int ingestCount, long old, Instant cutoff) {
    System.out.printf(
        "stored: %,d orders created over the %d years before the run, %,d of them before the"
            + " cutoff %s (%d years); ingested: %,d new orders from Kafka in each phase%n",
        storedCount, SPREAD_YEARS, old, cutoff, KEEP_YEARS, ingestCount);
    for (int i = 0; i < phases.size(); i++) {
      Phase p = phases.get(i);
      // The phases around a retention phase are without retention (see the class comment).
      double baseline =
          i == 0 || i + 1 == phases.size()
              ? p.steadyRate()
              : (phases.get(i - 1).steadyRate() + phases.get(i + 1).steadyRate()) / 2;
      System.out.printf(
          "%-18s ingest %,8.0f orders/s over %,d ms (from its first batch's commit)%n",
          p.name() + ":", p.steadyRate(), p.ingestMillis());
      p.retention()
          .ifPresent(
              r -> {
                double ratio = p.rateDuringRetention() / baseline;
                System.out.printf(
                    "                   retention: %,d orders %s in %,d batches, %,d ms; longest"
                        + " batch %,d ms (target <= %,d ms: %s)%n",
                    r.orders(),
                    r.action() == Action.ANONYMIZE ? "anonymized" : "deleted",
                    r.batches(),
                    r.took().toMillis(),
                    r.longestBatch().toMillis(),
                    TARGET_LONGEST_BATCH.toMillis(),
                    verdict(r.longestBatch().compareTo(TARGET_LONGEST_BATCH) <= 0));
                System.out.printf(
                    "                   ingest while it ran (%,d ms): %,.0f orders/s, %.2fx the"
                        + " mean rate without it before and after (target >= %.1f: %s); over the whole"
                        + " phase %.2fx%n",
                    p.retentionOverlapMillis(),
                    p.rateDuringRetention(),
                    ratio,
                    TARGET_RATIO,
                    verdict(ratio >= TARGET_RATIO),
                    p.steadyRate() / baseline);
                System.out.println("                   " + p.check());
              });
    }
  }

  /** Orders with {@code date_created} drawn at random over the four years before {@code start}. */
  private static List<EncodedOrder> storedOrders(
      int count, Instant start, List<Instant> createdAt) {
    System.err.printf("generating %,d stored orders...%n", count);
    Instant earliest = start.atZone(ZoneOffset.UTC).minus(Period.ofYears(SPREAD_YEARS)).toInstant();
    long span = Duration.between(earliest, start).toSeconds();
    Random random = new Random(20_261_206L);
    RandomOrders orders = new RandomOrders(20_261_206L);
    List<EncodedOrder> encoded = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Instant at = earliest.plusSeconds((long) (random.nextDouble() * span));
      createdAt.add(at);
      ZoneOffset offset = ZoneOffset.ofHours(random.nextInt(7) - 3);
      String uid = String.format("s%09d", i);
      encoded.add(CODEC.encoded(orders.next(uid).withDateCreated(at.atOffset(offset).toString())));
    }
    return encoded;
  }

  /** New orders, created at {@code start}: none is old. */
  private static List<EncodedOrder> liveOrders(int count, Instant start) {
    System.err.printf("generating %,d orders to ingest...%n", count);
    RandomOrders orders = new RandomOrders(20_261_207L);
    List<EncodedOrder> encoded = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String uid = String.format("n%09d", i);
      encoded.add(CODEC.encoded(orders.next(uid).withDateCreated(start.toString())));
    }
    return encoded;
  }

  /** How many of the ingested orders are stored (uids {@code n...}: the primary key's range). */
  private static long liveOrders(DataSource db) throws SQLException {
    return count(db, "select count(*) from orders where order_uid >= 'n' and order_uid < 'o'");
  }

  private static long count(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        var row = s.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  /** How PostgreSQL finds the first batch of old orders (the retention's own query's shape). */
  private static void printPlan(DataSource db, Instant cutoff) throws SQLException {
    String sql =
        "explain select order_uid, created_at, id from orders where created_at < '"
            + cutoff
            + "'::timestamptz and (created_at, id) > ('-infinity'::timestamptz, 0)"
            + " and erased_at is null order by created_at, id limit 1000";
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        var rows = s.executeQuery(sql)) {
      System.err.println("plan of a batch's select:");
      while (rows.next()) {
        System.err.println("  " + rows.getString(1));
      }
    }
  }

  private static void execute(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String verdict(boolean met) {
    return met ? "met" : "NOT met";
  }
}
