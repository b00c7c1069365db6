package dev.orderservice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderSearch;
import dev.orderservice.persistence.PostgresOrderSearch.SearchSql;
import dev.orderservice.persistence.PostgresOrderStore;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code bench/run search}: {@code GET /orders} searches on a large store, through the server (its
 * own JVM) as a client sees them, against PostgreSQL answering the same statement to pgbench.
 *
 * <p>It stores N orders (default 1,000,000) spread as {@link SearchSpread} says. Then, for each
 * kind of search, wrk sends requests picked at random from 2,000 different ones of that kind:
 *
 * <ul>
 *   <li>by track number; by customer; by day (one UTC day, about 2,700 orders);
 *   <li>combined: a customer within 90 days;
 *   <li>page 50: the 50th page (20 a page) of a day's orders (of a few days' with a smaller store),
 *       by the cursor that walking its first 49 pages gave.
 * </ul>
 *
 * <p>Each kind is measured three ways. Saturated, with {@code -c 8}: every connection sends its
 * next request as soon as the answer is in, which gives the most searches a second the machine
 * answers. pgbench, running the very statement the server runs for that kind ({@code
 * PostgresOrderSearch#sql}), prepared and by its generic plan as the server's search connections
 * run it, with values drawn alike, with as many clients as the server lets searches hold
 * connections ({@code executor_pool_max_threads{name="order-search"}}): what PostgreSQL itself
 * answers on this machine; target: the server's rate at least {@value #TARGET_PGBENCH_RATIO}x
 * pgbench's. And paced to {@value #PACED_SHARE} of the saturated rate, by many connections each
 * waiting between requests: the latency a client sees when the service is busy but not overloaded;
 * target p99 at most {@value #TARGET_P99_MILLIS} ms. wrk, pgbench, the server and PostgreSQL share
 * the machine's cores; the CPU the server and PostgreSQL spent per search in the saturated run is
 * printed beside it.
 *
 * <p>Last, {@link SearchUnderIngest}: the customer searches saturated while the server's ingest
 * stores a backlog at full speed; targets: searches keep {@value #TARGET_SEARCH_UNDER_INGEST}x of
 * their idle rate, the ingest {@value #TARGET_INGEST_UNDER_SEARCH}x of its rate alone.
 */
final class SearchBenchmark {

  static final double TARGET_P99_MILLIS = 20;
  static final double TARGET_PGBENCH_RATIO = 0.6;
  static final double PACED_SHARE = 0.8;
  static final double TARGET_SEARCH_UNDER_INGEST = 0.5;
  static final double TARGET_INGEST_UNDER_SEARCH = 0.7;
  private static final int SAVE_BATCH = 5_000;
  private static final int QUERIES_PER_KIND = 2_000;
  private static final String TOPIC = "orders-search-bench";
  private static final Pattern SEARCH_THREADS =
      Pattern.compile("(?m)^executor_pool_max_threads\\{name=\"order-search\"} (\\S+)$");

  /**
   * The embedded PostgreSQL's memory as one would set it for a store of this size (its 128 MB
   * default would hold a tenth of 1,000,000 orders): shared buffers that hold the store, as
   * PostgreSQL's documentation suggests for a database smaller than a quarter of the RAM. An
   * external server ({@code BENCH_DB_DSN}) runs with its own settings.
   */
  private static final Map<String, String> POSTGRES_SETTINGS =
      Map.of("shared_buffers", "3GB", "effective_cache_size", "12GB");

  /** The most time {@link #settle} waits for the load of storing to die down. */
  private static final Duration SETTLE_AT_MOST = Duration.ofSeconds(120);

  private SearchBenchmark() {}

  /** A kind of search: its name, wrk's paths, a query of its shape, pgbench's values. */
  private record Kind(
      String name, List<String> paths, OrderQuery shape, SearchSpread.PgBenchValues pgbench) {}

  /** One kind's figures. */
  record Measured(
      Wrk.Result saturated,
      SearchCpu.PerSearch cpu,
      PgBench.Result pgbench,
      Wrk.Result paced,
      int pacedConnections) {}

  static void run(Options options) throws Exception {
    int count = options.integer("orders", 1_000_000);
    int page = options.integer("page", 50);
    int cursorWalks = options.integer("cursor-walks", 200);
    int backlog = options.integer("ingest-backlog", 600_000);
    Wrk.Settings settings =
        new Wrk.Settings(
            options.integer("threads", 2),
            options.integer("connections", 8),
            Duration.ofSeconds(options.integer("duration", 10)),
            Duration.ofSeconds(options.integer("warmup-run", 3)));
    Path jar = Path.of(options.text("server-jar", "order-server/target/order-server.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -pl order-server -am package");
    }
    // As the server's search connections run them (OrderDatabase.searchPool): planned once.
    PgBench pgbench = PgBench.find().withServerOptions("-c plan_cache_mode=force_generic_plan");
    Path work = Files.createTempDirectory("bench-search-");
    System.err.println("work directory (server log, scripts): " + work);
    String loadAtStart = HttpBenchmark.loadAverage();
    SearchSpread spread = new SearchSpread(count);

    try (BenchDatabase database = BenchDatabase.start(POSTGRES_SETTINGS);
        BenchKafka kafka = BenchKafka.start()) {
      String jdbcUrl = database.freshDatabase("bench_search");
      Map<OrderQuery, SearchSql> statements = new LinkedHashMap<>();
      try (HikariDataSource db = OrderDatabase.pool(jdbcUrl, 2, "bench-search")) {
        Migrations.migrate(db);
        store(new PostgresOrderStore(db), spread);
        try (Connection c = db.getConnection();
            Statement s = c.createStatement()) {
          s.execute("vacuum analyze");
          s.execute("checkpoint");
        }
        PostgresOrderSearch search = new PostgresOrderSearch(db);
        for (OrderQuery shape :
            List.of(
                SearchSpread.trackShape(),
                SearchSpread.customerShape(),
                SearchSpread.rangeShape(),
                SearchSpread.combinedShape(),
                SearchSpread.cursorShape())) {
          statements.put(shape, search.sql(shape));
        }
      }
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        IngestBenchmark.createTopic(admin, TOPIC, 3);
      }
      settle();
      List<String> args =
          List.of(
              "--db-dsn",
              jdbcUrl,
              "--kafka-broker",
              kafka.bootstrapServers(),
              "--kafka-topic",
              TOPIC,
              "--cache-max-entries",
              "0",
              "--data-dir",
              work.resolve("data").toString());
      try (ServerProcess server =
          ServerProcess.start(jar, work, "server", List.of("-Xmx1g"), args)) {
        server.awaitWarmedUp(Duration.ofMinutes(5));
        int searchThreads = searchThreads(server, options.integer("search-connections", 0));
        Random random = new Random(20261203L);
        List<Kind> kinds =
            List.of(
                new Kind(
                    "by track number",
                    paths(random, spread::trackQuery),
                    SearchSpread.trackShape(),
                    spread.trackValues()),
                new Kind(
                    "by customer",
                    paths(random, spread::customerQuery),
                    SearchSpread.customerShape(),
                    spread.customerValues()),
                new Kind(
                    "by day",
                    paths(random, spread::dayQuery),
                    SearchSpread.rangeShape(),
                    spread.rangeValues(1)),
                new Kind(
                    "customer within 90 days",
                    paths(random, spread::combinedQuery),
                    SearchSpread.combinedShape(),
                    spread.combinedValues()),
                new Kind(
                    "page " + page + " by cursor",
                    pageByCursor(server.baseUri(), random, spread, page, cursorWalks),
                    SearchSpread.cursorShape(),
                    spread.cursorValues(page)));
        warmUp(server, work, kinds, settings);
        Map<String, Measured> results = new LinkedHashMap<>();
        String loadWhenMeasuring = HttpBenchmark.loadAverage();
        for (Kind kind : kinds) {
          Path script =
              SearchPgBench.script(work, kind.name(), statements.get(kind.shape()), kind.pgbench());
          results.put(
              kind.name(),
              measure(server, work, kind, settings, pgbench, jdbcUrl, script, searchThreads));
        }
        Wrk customers =
            Wrk.forPaths(
                work,
                "by customer under ingest",
                kinds.get(1).paths(),
                settings.threads(),
                settings.connections());
        SearchUnderIngest.Result underIngest =
            SearchUnderIngest.measure(
                server, kafka.bootstrapServers(), TOPIC, backlog, customers, settings.duration());
        SearchReport.print(
            new SearchReport.Run(
                count,
                loadAtStart,
                loadWhenMeasuring,
                settings,
                searchThreads,
                pgbench.version(),
                results,
                underIngest));
      }
    }
    HttpBenchmark.deleteTree(work);
  }

  private static void store(PostgresOrderStore store, SearchSpread spread) {
    System.err.printf("storing %,d orders...%n", spread.count);
    RandomOrders random = new RandomOrders(20261203L);
    OrderCodec codec = OrderCodec.standard();
    Stopwatch watch = Stopwatch.start();
    for (int from = 0; from < spread.count; from += SAVE_BATCH) {
      List<EncodedOrder> batch = new ArrayList<>(SAVE_BATCH);
      for (int i = from; i < Math.min(spread.count, from + SAVE_BATCH); i++) {
        batch.add(codec.encoded(spread.order(random.next(String.format("s%09d", i)), i)));
      }
      for (SaveResult result : store.saveAll(batch)) {
        if (result.outcome() != SaveOutcome.INSERTED) {
          throw new IllegalStateException("expected INSERTED, got " + result);
        }
      }
      if ((from / SAVE_BATCH) % 40 == 39) {
        System.err.printf("  %,d stored%n", from + SAVE_BATCH);
      }
    }
    System.err.printf(
        "stored %,d orders at %,.0f orders/s%n", spread.count, watch.perSecond(spread.count));
  }

  /**
   * Waits until the load average of the last minute is below one per core (storing a million orders
   * leaves the database writing for a while), for at most {@link #SETTLE_AT_MOST}.
   */
  private static void settle() throws InterruptedException {
    int cores = Runtime.getRuntime().availableProcessors();
    long deadline = System.nanoTime() + SETTLE_AT_MOST.toNanos();
    System.err.print("waiting for the load average to fall below " + cores + "...");
    while (System.nanoTime() < deadline && loadAverage() >= cores) {
      // Polling /proc/loadavg: there is nothing to wait on.
      Thread.sleep(2_000);
    }
    System.err.println(" " + HttpBenchmark.loadAverage());
  }

  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Page {@code page} of {@code walks} random days: each found by following {@code next} from the
   * first page, as a client does.
   */
  private static List<String> pageByCursor(
      URI server, Random random, SearchSpread spread, int page, int walks)
      throws IOException, InterruptedException {
    System.err.printf("walking %d days' searches to their page %d...%n", walks, page);
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    List<String> paths = new ArrayList<>(walks);
    int days = spread.daysFor(page);
    for (int walk = 0; walk < walks; walk++) {
      String query = spread.rangeQuery(random, days);
      String path = query;
      for (int p = 1; p < page; p++) {
        JsonNode answer = get(http, json, server.resolve(path));
        if (!answer.hasNonNull("next")) {
          throw new IllegalStateException(query + " has fewer than " + page + " pages");
        }
        path =
            query
                + "&cursor="
                + URLEncoder.encode(answer.get("next").asText(), StandardCharsets.UTF_8);
      }
      if (get(http, json, server.resolve(path)).get("orders").size() != 20) {
        throw new IllegalStateException("page " + page + " of " + query + " is not full");
      }
      paths.add(path);
    }
    return paths;
  }

  private static JsonNode get(HttpClient http, ObjectMapper json, URI uri)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + response.statusCode());
    }
    return json.readTree(response.body());
  }

  private static Wrk.Result checked(String kind, Wrk.Result result) {
    if (!result.clean()) {
      throw new IllegalStateException(kind + ": wrk saw errors:\n" + result.report());
    }
    return result;
  }

  private static List<String> paths(Random random, Function<Random, String> of) {
    List<String> paths = new ArrayList<>(QUERIES_PER_KIND);
    for (int i = 0; i < QUERIES_PER_KIND; i++) {
      paths.add(of.apply(random));
    }
    return paths;
  }

  /**
   * Every kind's searches mixed, for three warm-up runs' time: the server's JIT compiles the search
   * path before the first kind is measured, not during it.
   */
  private static void warmUp(
      ServerProcess server, Path work, List<Kind> kinds, Wrk.Settings settings)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>();
    kinds.forEach(kind -> all.addAll(kind.paths()));
    System.err.println("warming the server up with every kind of search...");
    Wrk.forPaths(work, "every kind", all, settings.threads(), settings.connections())
        .run(server.baseUri(), settings.warmUpRun().multipliedBy(3));
  }

  /**
   * How many searches the server runs at once, each on a connection: from its metrics; for a server
   * whose metrics do not say (a release before the searches had threads of their own, run with
   * {@code --server-jar}), {@code --search-connections N}.
   */
  private static int searchThreads(ServerProcess server, int given)
      throws IOException, InterruptedException {
    String metrics = new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
    Matcher m = SEARCH_THREADS.matcher(metrics);
    if (m.find()) {
      return (int) Double.parseDouble(m.group(1));
    }
    if (given > 0) {
      return given;
    }
    throw new IllegalStateException(
        "the server's /metrics has no order-search executor: give --search-connections N");
  }

  private static Measured measure(
      ServerProcess server,
      Path work,
      Kind kind,
      Wrk.Settings settings,
      PgBench pgbench,
      String jdbcUrl,
      Path script,
      int searchThreads)
      throws Exception {
    String name = kind.name();
    Wrk wrk = Wrk.forPaths(work, name, kind.paths(), settings.threads(), settings.connections());
    System.err.printf("%s: warm-up run...%n", name);
    wrk.run(server.baseUri(), settings.warmUpRun());
    System.err.printf("%s: saturated run...%n", name);
    SearchCpu cpu = SearchCpu.start(server.pid());
    Wrk.Result saturated = checked(name, wrk.run(server.baseUri(), settings.duration()));
    SearchCpu.PerSearch perSearch = cpu.perSearch(saturated.requests());
    System.err.printf("%s: pgbench, %d clients...%n", name, searchThreads);
    PgBench.Result pg = pgbench.run(jdbcUrl, script, searchThreads, settings.duration(), Map.of());
    Paced paced = paced(server, work, kind, settings, PACED_SHARE * saturated.requestsPerSecond());
    return new Measured(saturated, perSearch, pg, paced.result(), paced.connections());
  }

  private record Paced(Wrk.Result result, int connections) {}

  /**
   * wrk at {@code rate} requests a second: enough connections that each waits at least 10 ms
   * between requests (wrk's delay is whole milliseconds), the wait set for the answer's time too,
   * and set again once from the rate the first run reached when it is more than 5 % off.
   */
  private static Paced paced(
      ServerProcess server, Path work, Kind kind, Wrk.Settings settings, double rate)
      throws Exception {
    int connections = (int) Math.max(settings.connections(), Math.ceil(rate * 0.012));
    double cycleMillis = connections * 1000.0 / rate;
    double answerMillis = 1;
    Wrk.Result result = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      long delay = Math.max(1, Math.round(cycleMillis - answerMillis));
      Wrk wrk =
          Wrk.forPaths(work, kind.name(), kind.paths(), settings.threads(), connections)
              .pacedBy(delay);
      System.err.printf(
          "%s: paced to %,.0f req/s (%d connections, %d ms apart)...%n",
          kind.name(), rate, connections, delay);
      result = checked(kind.name(), wrk.run(server.baseUri(), settings.duration()));
      if (Math.abs(result.requestsPerSecond() - rate) <= 0.05 * rate) {
        break;
      }
      answerMillis = Math.max(0, connections * 1000.0 / result.requestsPerSecond() - delay);
    }
    return new Paced(result, connections);
  }
}
