package dev.orderservice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
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
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * {@code bench/run search}: the latency of {@code GET /orders} searches on a large store, through
 * the server (its own JVM) as a client sees them.
 *
 * <p>It stores N orders (default 1,000,000) whose search fields are spread as a real store's would
 * be: about 50 orders per customer, 2 per track number, {@code date_created} over one year in four
 * different offsets (so that a day's orders are found by instant, not by text). Then, for each kind
 * of search, wrk sends requests picked at random from 2,000 different ones of that kind:
 *
 * <ul>
 *   <li>by track number; by customer; by day (one UTC day, about 2,700 orders);
 *   <li>combined: a customer within 90 days;
 *   <li>page 50: the 50th page (20 a page) of a day's orders (of a few days' with a smaller store),
 *       by the cursor that walking its first 49 pages gave.
 * </ul>
 *
 * <p>Each kind is measured twice with {@code -c 8} (a support team's worth of clients; {@code
 * --connections} changes it): saturated, every connection sending its next request as soon as the
 * answer is in, which gives the most searches a second the machine can answer; and paced at {@code
 * --rate} requests a second in all (default 1,000, about a third of the saturated rate on two
 * cores), which gives the latency a client sees when the service is busy but not overloaded.
 * Target: p99 at most 20 ms for each kind at the paced rate; the saturated p99 is printed beside
 * it, since with every core busy it measures the queue in front of the cores more than the search.
 * wrk, the server and PostgreSQL share the machine's cores.
 */
final class SearchBenchmark {

  private static final double TARGET_P99_MILLIS = 20;
  private static final int SAVE_BATCH = 5_000;
  private static final int QUERIES_PER_KIND = 2_000;
  private static final int DAYS = 365;
  private static final LocalDate FIRST_DAY = LocalDate.of(2025, 1, 1);
  private static final List<ZoneOffset> OFFSETS =
      List.of(
          ZoneOffset.UTC,
          ZoneOffset.ofHours(3),
          ZoneOffset.ofHours(-5),
          ZoneOffset.ofHoursMinutes(5, 30));
  private static final DateTimeFormatter INSTANT = DateTimeFormatter.ISO_INSTANT;

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

  static void run(Options options) throws Exception {
    int count = options.integer("orders", 1_000_000);
    int page = options.integer("page", 50);
    int cursorWalks = options.integer("cursor-walks", 200);
    Wrk.Settings settings =
        new Wrk.Settings(
            options.integer("threads", 2),
            options.integer("connections", 8),
            Duration.ofSeconds(options.integer("duration", 10)),
            Duration.ofSeconds(options.integer("warmup-run", 3)));
    int rate = options.integer("rate", 1_000);
    Path jar = Path.of(options.text("server-jar", "order-server/target/order-server.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -pl order-server -am package");
    }
    Path work = Files.createTempDirectory("bench-search-");
    System.err.println("work directory (server log, scripts): " + work);
    String loadAtStart = HttpBenchmark.loadAverage();
    Spread spread = new Spread(count);

    try (BenchDatabase database = BenchDatabase.start(POSTGRES_SETTINGS);
        BenchKafka kafka = BenchKafka.start()) {
      String jdbcUrl = database.freshDatabase("bench_search");
      try (HikariDataSource db = OrderDatabase.pool(jdbcUrl, 2, "bench-search")) {
        Migrations.migrate(db);
        store(new PostgresOrderStore(db), spread);
        try (Connection c = db.getConnection();
            Statement s = c.createStatement()) {
          s.execute("vacuum analyze");
          s.execute("checkpoint");
        }
      }
      settle();
      List<String> args =
          List.of(
              "--db-dsn",
              jdbcUrl,
              "--kafka-broker",
              kafka.bootstrapServers(),
              "--cache-max-entries",
              "0",
              "--data-dir",
              work.resolve("data").toString());
      try (ServerProcess server =
          ServerProcess.start(jar, work, "server", List.of("-Xmx1g"), args)) {
        server.awaitWarmedUp(Duration.ofMinutes(5));
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        Random random = new Random(20261203L);
        kinds.put("by track number", paths(random, spread::trackQuery));
        kinds.put("by customer", paths(random, spread::customerQuery));
        kinds.put("by day", paths(random, spread::dayQuery));
        kinds.put("customer within 90 days", paths(random, spread::combinedQuery));
        kinds.put(
            "page " + page + " of a date range, by cursor",
            pageByCursor(server.baseUri(), random, spread, page, cursorWalks));
        Map<String, Measured> results = new LinkedHashMap<>();
        String loadWhenMeasuring = HttpBenchmark.loadAverage();
        for (Map.Entry<String, List<String>> kind : kinds.entrySet()) {
          results.put(kind.getKey(), measure(server.baseUri(), work, kind, settings, rate));
        }
        print(count, loadAtStart, loadWhenMeasuring, settings, rate, results);
      }
    }
    HttpBenchmark.deleteTree(work);
  }

  private static void store(PostgresOrderStore store, Spread spread) {
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

  private static List<String> paths(Random random, Function<Random, String> of) {
    List<String> paths = new ArrayList<>(QUERIES_PER_KIND);
    for (int i = 0; i < QUERIES_PER_KIND; i++) {
      paths.add(of.apply(random));
    }
    return paths;
  }

  /**
   * Page {@code page} of {@code walks} random days: each found by following {@code next} from the
   * first page, as a client does.
   */
  private static List<String> pageByCursor(
      URI server, Random random, Spread spread, int page, int walks)
      throws IOException, InterruptedException {
    System.err.printf("walking %d days' searches to their page %d...%n", walks, page);
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    List<String> paths = new ArrayList<>(walks);
    // A day holds about count / DAYS orders: with a small store, a range of days holds the pages.
    int days =
        (int) Math.max(1, Math.ceil(page * 20 * 1.5 / Math.max(1.0, (double) spread.count / DAYS)));
    for (int walk = 0; walk < walks; walk++) {
      String query = spread.rangeQuery(random, Math.min(days, DAYS / 2));
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

  /** One kind's figures: saturated, and paced to the rate. */
  private record Measured(Wrk.Result saturated, Wrk.Result paced) {}

  private static Measured measure(
      URI server, Path work, Map.Entry<String, List<String>> kind, Wrk.Settings settings, int rate)
      throws Exception {
    Wrk wrk =
        Wrk.forPaths(
            work, kind.getKey(), kind.getValue(), settings.threads(), settings.connections());
    System.err.printf("%s: warm-up run...%n", kind.getKey());
    wrk.run(server, settings.warmUpRun());
    System.err.printf("%s: saturated run...%n", kind.getKey());
    Wrk.Result saturated = checked(kind.getKey(), wrk.run(server, settings.duration()));
    System.err.printf("%s: run paced to %,d req/s...%n", kind.getKey(), rate);
    Wrk.Result paced = checked(kind.getKey(), wrk.pacedTo(rate).run(server, settings.duration()));
    return new Measured(saturated, paced);
  }

  private static Wrk.Result checked(String kind, Wrk.Result result) {
    if (!result.clean()) {
      throw new IllegalStateException(kind + ": wrk saw errors:\n" + result.report());
    }
    return result;
  }

  private static void print(
      int count,
      String loadAtStart,
      String loadWhenMeasuring,
      Wrk.Settings wrk,
      int rate,
      Map<String, Measured> results) {
    System.out.printf(
        "orders: %,d stored (about 50 per customer, 2 per track number, over %d days in 4 offsets);"
            + " %d cores, load average %s at the start, %s when measuring; PostgreSQL %s%n",
        count,
        DAYS,
        Runtime.getRuntime().availableProcessors(),
        loadAtStart,
        loadWhenMeasuring,
        System.getenv("BENCH_DB_DSN") == null ? "embedded, " + POSTGRES_SETTINGS : "BENCH_DB_DSN");
    System.out.printf(
        "GET /orders searches, wrk -t%d -c%d -d%ds, %,d different queries of each kind picked at"
            + " random, 20 a page; saturated (each connection asks again at once), then paced to"
            + " %,d req/s in all:%n",
        wrk.threads(), wrk.connections(), wrk.duration().toSeconds(), QUERIES_PER_KIND, rate);
    boolean allMet = true;
    for (Map.Entry<String, Measured> entry : results.entrySet()) {
      Wrk.Result saturated = entry.getValue().saturated();
      Wrk.Result paced = entry.getValue().paced();
      boolean met = paced.p99Millis() <= TARGET_P99_MILLIS;
      allMet &= met;
      System.out.printf(
          "  %-36s saturated %,6.0f req/s p50 %5.2f ms p99 %6.2f ms | paced %,6.0f req/s p50 %5.2f"
              + " ms p99 %6.2f ms (target <= %.0f ms: %s)%n",
          entry.getKey() + ":",
          saturated.requestsPerSecond(),
          saturated.p50Millis(),
          saturated.p99Millis(),
          paced.requestsPerSecond(),
          paced.p50Millis(),
          paced.p99Millis(),
          TARGET_P99_MILLIS,
          met ? "met" : "NOT met");
    }
    System.out.println(
        "every kind within the target at "
            + String.format("%,d", rate)
            + " req/s: "
            + (allMet ? "yes" : "NO"));
  }

  /** Which track number, customer and date each order gets, and queries that find them. */
  private static final class Spread {

    final int count;
    final int customers;
    final int tracks;

    Spread(int count) {
      this.count = count;
      this.customers = Math.max(1, count / 50);
      this.tracks = Math.max(1, count / 2);
    }

    /** Order {@code i}: its random content, with the search fields of the spread. */
    Order order(Order random, int i) {
      Random fields = new Random(i * 7919L + 17);
      ZoneOffset offset = OFFSETS.get(fields.nextInt(OFFSETS.size()));
      LocalDateTime local =
          FIRST_DAY
              .atStartOfDay()
              .plusSeconds((long) (fields.nextDouble() * DAYS * 86_400L))
              .plusSeconds(offset.getTotalSeconds());
      return random
          .withTrackNumber(String.format("TRK%08d", fields.nextInt(tracks)))
          .withCustomerId(String.format("cust-%06d", fields.nextInt(customers)))
          .withDateCreated(local.atOffset(offset).toString());
    }

    String trackQuery(Random random) {
      return "/orders?track_number=" + String.format("TRK%08d", random.nextInt(tracks));
    }

    String customerQuery(Random random) {
      return "/orders?customer_id=" + String.format("cust-%06d", random.nextInt(customers));
    }

    String dayQuery(Random random) {
      return rangeQuery(random, 1);
    }

    /** {@code days} UTC days from a random one. */
    String rangeQuery(Random random, int days) {
      LocalDate day = FIRST_DAY.plusDays(random.nextInt(DAYS - days + 1));
      return "/orders?from=" + instant(day) + "&to=" + instant(day.plusDays(days));
    }

    String combinedQuery(Random random) {
      LocalDate from = FIRST_DAY.plusDays(random.nextInt(DAYS - 90));
      return customerQuery(random) + "&from=" + instant(from) + "&to=" + instant(from.plusDays(90));
    }

    private static String instant(LocalDate day) {
      return INSTANT.format(day.atStartOfDay(ZoneOffset.UTC));
    }
  }
}
