package dev.orderservice.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cache.CacheWarmUp;
import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.cache.WarmUpStatus;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.postgresql.PGConnection;

/**
 * {@code bench/run read}: the database read paths against PostgreSQL's own speed on the same rows.
 *
 * <ul>
 *   <li>{@code GET /orders/{uid}} with the cache off (every request reads PostgreSQL), wrk with 64
 *       connections, against {@code pgbench} with as many clients as the server's pool running,
 *       prepared, the lookup a miss makes since V2 ({@code select canonical_json from orders where
 *       order_uid = $1}, a random uid), and the old baseline, the lookup the V1 schema needed (the
 *       four-table join for one random uid);
 *   <li>the cache warm-up ({@link CacheWarmUp} into an {@link EhcacheOrderCache}, in this JVM)
 *       against {@code COPY (select canonical_json from orders order by id desc) TO STDOUT} of the
 *       same rows, and the old baseline, {@code COPY (the join, newest first) TO STDOUT};
 *   <li>the warm-up with a cache bound of a tenth of the store: rows read and time.
 * </ul>
 *
 * <p>Targets: GET at least 0.8x the one-column lookup's rate with p99 at most 10 ms; warm-up at
 * least 0.8x COPY TO of the one column; the bounded warm-up reads about a tenth of the rows.
 */
final class ReadBenchmark {

  private static final double TARGET_GET_RATIO = 0.8;
  private static final double TARGET_P99_MILLIS = 10;
  private static final double TARGET_WARM_UP_RATIO = 0.8;
  private static final int SAVE_BATCH = 5_000;

  /** The lookup of the V1 schema: every column of the order, a row per item. */
  static final String JOIN =
      "select o.order_uid, o.track_number, o.entry, o.locale, o.internal_signature,"
          + " o.customer_id, o.delivery_service, o.shardkey, o.sm_id, o.date_created, o.oof_shard,"
          + " d.name, d.phone, d.zip, d.city, d.address, d.region, d.email,"
          + " p.transaction, p.request_id, p.currency, p.provider, p.amount, p.payment_dt, p.bank,"
          + " p.delivery_cost, p.goods_total, p.custom_fee,"
          + " i.position, i.chrt_id, i.track_number, i.price, i.rid, i.name, i.sale, i.size,"
          + " i.total_price, i.nm_id, i.brand, i.status"
          + " from orders o join delivery d on d.order_uid = o.order_uid"
          + " join payment p on p.order_uid = o.order_uid"
          + " left join items i on i.order_uid = o.order_uid";

  /** What a cache miss reads since V2: one column of one row. */
  static final String ONE_COLUMN = "select canonical_json from orders";

  /** A random uid of the stored ones, in pgbench's script language. */
  private static final String RANDOM_UID = "'r' || lpad(:n::text, 9, '0')";

  private ReadBenchmark() {}

  static void run(Options options) throws Exception {
    int count = options.integer("orders", 200_000);
    int pool = options.integer("pool", 8);
    Wrk.Settings wrkSettings =
        new Wrk.Settings(
            options.integer("threads", 2),
            options.integer("connections", 64),
            Duration.ofSeconds(options.integer("duration", 15)),
            Duration.ofSeconds(options.integer("warmup-run", 5)));
    Path jar = Path.of(options.text("server-jar", "order-server/target/order-server.jar"));
    Path work = Files.createTempDirectory("bench-read-");
    System.err.println("work directory (server log, scripts): " + work);
    PgBench pgbench = PgBench.find();
    String loadAtStart = HttpBenchmark.loadAverage();

    try (BenchDatabase database = BenchDatabase.start();
        BenchKafka kafka = BenchKafka.start()) {
      String jdbcUrl = database.freshDatabase("bench_read");
      List<String> uids = new ArrayList<>(count);
      WarmUps warmUps;
      try (HikariDataSource db = OrderDatabase.pool(jdbcUrl, 2, "bench-read")) {
        Migrations.migrate(db);
        PostgresOrderStore store = new PostgresOrderStore(db);
        store(store, count, uids);
        execute(db, "vacuum analyze");
        warmUps = measureWarmUps(db, store, count);
      }

      List<String> jvm = List.of(options.text("server-jvm", "-Xmx2g").split(" "));
      Wrk.Result get = measureGets(jar, jvm, work, jdbcUrl, kafka, pool, uids, wrkSettings);
      Map<String, String> variables = Map.of("orders", Integer.toString(count));
      PgBench.Result oneColumn =
          pgbench(
              pgbench,
              jdbcUrl,
              work.resolve("one-column.sql"),
              ONE_COLUMN + " where order_uid = " + RANDOM_UID,
              pool,
              wrkSettings,
              variables);
      PgBench.Result join =
          pgbench(
              pgbench,
              jdbcUrl,
              work.resolve("join.sql"),
              JOIN + " where o.order_uid = " + RANDOM_UID + " order by i.position",
              pool,
              wrkSettings,
              variables);
      Lookups lookups = new Lookups(get, oneColumn, join, pgbench.version());

      print(count, pool, loadAtStart, wrkSettings, lookups, warmUps);
    }
    HttpBenchmark.deleteTree(work);
  }

  private static void store(PostgresOrderStore store, int count, List<String> uids) {
    System.err.printf("storing %,d orders...%n", count);
    RandomOrders random = new RandomOrders(20261130L);
    OrderCodec codec = OrderCodec.standard();
    for (int from = 0; from < count; from += SAVE_BATCH) {
      List<EncodedOrder> batch = new ArrayList<>(SAVE_BATCH);
      for (int i = from; i < Math.min(count, from + SAVE_BATCH); i++) {
        String uid = String.format("r%09d", i);
        uids.add(uid);
        batch.add(codec.encoded(random.next(uid)));
      }
      for (SaveResult result : store.saveAll(batch)) {
        if (result.outcome() != SaveOutcome.INSERTED) {
          throw new IllegalStateException("expected INSERTED, got " + result);
        }
      }
    }
  }

  /** A warm-up run, then the measured one, of {@code query} for a random uid (variable n). */
  private static PgBench.Result pgbench(
      PgBench pgbench,
      String jdbcUrl,
      Path script,
      String query,
      int clients,
      Wrk.Settings settings,
      Map<String, String> variables)
      throws Exception {
    Files.writeString(
        script, "\\set n random(0, :orders - 1)\n" + query + ";\n", StandardCharsets.US_ASCII);
    System.err.printf("pgbench %s, %d clients: warm-up run...%n", script.getFileName(), clients);
    pgbench.run(jdbcUrl, script, clients, settings.warmUpRun(), variables);
    System.err.println("pgbench: measured run...");
    return pgbench.run(jdbcUrl, script, clients, settings.duration(), variables);
  }

  /**
   * The warm-up and COPY TO of the one column, each measured twice in alternating order, the best
   * of each counting; COPY TO of the join (the old baseline) once.
   */
  private static WarmUps measureWarmUps(HikariDataSource db, PostgresOrderStore store, int count)
      throws Exception {
    double warmUp = 0;
    double copy = 0;
    for (int round = 1; round <= 2; round++) {
      if (round == 1) {
        copy = Math.max(copy, copyTo(db, count, ONE_COLUMN + " order by id desc"));
      }
      WarmUpStatus full = warmUp(store, count);
      warmUp = Math.max(warmUp, full.loaded() / seconds(full.elapsed()));
      System.err.printf(
          "round %d: warm-up %,d orders in %.2f s%n",
          round, full.loaded(), seconds(full.elapsed()));
      if (round == 2) {
        copy = Math.max(copy, copyTo(db, count, ONE_COLUMN + " order by id desc"));
      }
    }
    double copyBinary = copyTo(db, count, ONE_COLUMN + " order by id desc", "(FORMAT binary)");
    double copyJoin = copyTo(db, count, JOIN + " order by o.id desc, i.position");
    WarmUpStatus bounded = warmUp(store, count / 10);
    return new WarmUps(warmUp, copy, copyBinary, copyJoin, count / 10, bounded);
  }

  private static WarmUpStatus warmUp(PostgresOrderStore store, long bound) {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(bound).build()) {
      CacheWarmUp warmUp = CacheWarmUp.start(store, cache, thread);
      while (warmUp.status().state() == WarmUpStatus.State.RUNNING) {
        // Polling the warm-up's own status: it offers no other way to wait.
        Thread.sleep(5);
      }
      WarmUpStatus status = warmUp.status();
      if (status.state() != WarmUpStatus.State.DONE) {
        throw new IllegalStateException("the warm-up failed: " + status);
      }
      if (cache.stats().entries() != status.loaded()) {
        throw new IllegalStateException(
            "the cache holds " + cache.stats().entries() + " of " + status.loaded() + " orders");
      }
      return status;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      thread.shutdownNow();
    }
  }

  /** {@code COPY (query) TO STDOUT}, read and dropped: orders per second. */
  private static double copyTo(HikariDataSource db, int count, String query) throws Exception {
    return copyTo(db, count, query, "");
  }

  /** {@code COPY (query) TO STDOUT options}, read and dropped: orders per second. */
  private static double copyTo(HikariDataSource db, int count, String query, String options)
      throws Exception {
    try (Connection c = db.getConnection()) {
      Stopwatch watch = Stopwatch.start();
      long rows =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyOut(
                  "COPY (" + query + ") TO STDOUT " + options, OutputStream.nullOutputStream());
      double rate = watch.perSecond(count);
      System.err.printf(
          "COPY (%s...) TO: %,d rows of %,d orders, %,.0f orders/s%n",
          query.substring(0, 30), rows, count, rate);
      return rate;
    }
  }

  private static Wrk.Result measureGets(
      Path jar,
      List<String> jvm,
      Path work,
      String jdbcUrl,
      BenchKafka kafka,
      int pool,
      List<String> uids,
      Wrk.Settings settings)
      throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -pl order-server -am package");
    }
    List<String> args =
        List.of(
            "--db-dsn", jdbcUrl,
            "--db-pool-size", Integer.toString(pool),
            "--kafka-broker", kafka.bootstrapServers(),
            "--cache-max-entries", "0",
            "--data-dir", work.resolve("data").toString());
    Wrk wrk = Wrk.forOrders(work, uids, settings.threads(), settings.connections());
    try (ServerProcess server = ServerProcess.start(jar, work, "server-cache-off", jvm, args)) {
      server.awaitWarmedUp(Duration.ofMinutes(5));
      System.err.println("GET, cache off: warm-up run...");
      wrk.run(server.baseUri(), settings.warmUpRun());
      System.err.println("GET, cache off: measured run...");
      Wrk.Result result = wrk.run(server.baseUri(), settings.duration());
      if (!result.clean()) {
        throw new IllegalStateException("wrk saw errors:\n" + result.report());
      }
      return result;
    }
  }

  private static void print(
      int count, int pool, String loadAtStart, Wrk.Settings wrk, Lookups lookups, WarmUps warmUps) {
    System.out.printf(
        "orders: %,d stored (random, 1-5 items); %d cores, load average %s at the start, %s at"
            + " the end%n",
        count,
        Runtime.getRuntime().availableProcessors(),
        loadAtStart,
        HttpBenchmark.loadAverage());
    Wrk.Result get = lookups.get();
    System.out.printf(
        "GET /orders/{uid}, cache off:  %,10.0f req/s   p99 %6.2f ms   (wrk -t%d -c%d -d%ds,"
            + " random uids; pool of %d)%n",
        get.requestsPerSecond(),
        get.p99Millis(),
        wrk.threads(),
        wrk.connections(),
        wrk.duration().toSeconds(),
        pool);
    System.out.printf(
        "pgbench, one-column lookup:    %,10.0f tx/s    (%s -M prepared -c %d, select"
            + " canonical_json from orders where order_uid = $1, a random uid)%n",
        lookups.oneColumn().transactionsPerSecond(), lookups.pgbenchVersion(), pool);
    double getRatio = get.requestsPerSecond() / lookups.oneColumn().transactionsPerSecond();
    System.out.printf(
        "ratio:                         %10.2f            (GET / one-column lookup; target >="
            + " %.1f: %s; p99 target <= %.0f ms: %s)%n",
        getRatio,
        TARGET_GET_RATIO,
        verdict(getRatio >= TARGET_GET_RATIO),
        TARGET_P99_MILLIS,
        verdict(get.p99Millis() <= TARGET_P99_MILLIS));
    System.out.printf(
        "pgbench, the V1 lookup:        %,10.0f tx/s    (old baseline: the four-table join for a"
            + " random uid, same clients; GET / it: %.2f)%n",
        lookups.join().transactionsPerSecond(),
        get.requestsPerSecond() / lookups.join().transactionsPerSecond());
    System.out.printf(
        "cache warm-up, all orders:     %,10.0f orders/s (CacheWarmUp into EhcacheOrderCache)%n",
        warmUps.warmUpRate());
    System.out.printf(
        "COPY (one column) TO STDOUT:   %,10.0f orders/s (select canonical_json from orders order"
            + " by id desc; same rows)%n",
        warmUps.copyRate());
    double warmUpRatio = warmUps.warmUpRate() / warmUps.copyRate();
    System.out.printf(
        "ratio:                         %10.2f            (warm-up / COPY TO; target >= %.1f:"
            + " %s)%n",
        warmUpRatio, TARGET_WARM_UP_RATIO, verdict(warmUpRatio >= TARGET_WARM_UP_RATIO));
    System.out.printf(
        "  the same, FORMAT binary:     %,10.0f orders/s (no target: bytea as stored, not as hex"
            + " text; warm-up / it: %.2f)%n",
        warmUps.copyBinaryRate(), warmUps.warmUpRate() / warmUps.copyBinaryRate());
    System.out.printf(
        "COPY (the join) TO STDOUT:     %,10.0f orders/s (old baseline: the V1 join, newest"
            + " first; warm-up / it: %.2f)%n",
        warmUps.copyJoinRate(), warmUps.warmUpRate() / warmUps.copyJoinRate());
    WarmUpStatus bounded = warmUps.bounded();
    System.out.printf(
        "warm-up, bound %,d (a tenth):  %,d rows read in %.2f s of %,d stored%n",
        warmUps.bound(), bounded.loaded(), seconds(bounded.elapsed()), count);
  }

  private static String verdict(boolean met) {
    return met ? "met" : "NOT met";
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  private static void execute(HikariDataSource db, String sql) throws Exception {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private record WarmUps(
      double warmUpRate,
      double copyRate,
      double copyBinaryRate,
      double copyJoinRate,
      long bound,
      WarmUpStatus bounded) {}

  private record Lookups(
      Wrk.Result get, PgBench.Result oneColumn, PgBench.Result join, String pgbenchVersion) {}
}
