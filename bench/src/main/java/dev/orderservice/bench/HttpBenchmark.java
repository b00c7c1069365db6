package dev.orderservice.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench/run http}: {@code GET /orders/{uid}} served from the order server's cache against
 * nginx serving the same bytes as static files, then with the cache disabled, then the warm-up of a
 * large store and the heap it takes.
 *
 * <p>The server runs from its jar in a JVM of its own, against the benchmark's PostgreSQL and Kafka
 * (embedded ones unless {@code BENCH_DB_DSN} / {@code BENCH_KAFKA} name others); orders are written
 * with {@link PostgresOrderStore#saveAll}. Both HTTP servers get the same wrk command and the same
 * random uids, one after the other, each after a warm-up run of its own. Everything listens on
 * 127.0.0.1 only. The cache hits are measured again with tracing off and on, alternately ({@link
 * #compareTracing}). Targets: cache hits at least 0.9x nginx's rate; with tracing on at least 0.9x
 * the rate with it off; heap after warm-up at most 1.2x the JSON it holds.
 */
final class HttpBenchmark {

  private static final double TARGET_RATIO = 0.9;
  private static final double TARGET_TRACING_RATIO = 0.9;
  private static final double TARGET_HEAP_RATIO = 1.2;
  private static final int SAVE_BATCH = 1_000;
  private static final Duration WARM_UP_TIMEOUT = Duration.ofMinutes(30);

  private final Options options;
  private final Path work;
  private final Path jar;
  private final List<String> jvmOptions;
  private final Wrk.Settings wrk;

  private HttpBenchmark(Options options, Path work) {
    this.options = options;
    this.work = work;
    this.jar = Path.of(options.text("server-jar", "order-server/target/order-server.jar"));
    this.jvmOptions = List.of("-Xmx" + options.text("server-heap", "4g"));
    this.wrk =
        new Wrk.Settings(
            options.integer("threads", 2),
            options.integer("connections", 64),
            Duration.ofSeconds(options.integer("duration", 15)),
            Duration.ofSeconds(options.integer("warmup-run", 5)));
  }

  static void run(Options options) throws Exception {
    // Readable by all: nginx's workers, started by root, read their files as nobody.
    Path work =
        Files.createTempDirectory(
            "bench-http-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    System.err.println("work directory (server logs, nginx files): " + work);
    new HttpBenchmark(options, work).run();
    // Kept when the run fails, for the servers' logs.
    deleteTree(work);
  }

  private void run() throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -pl order-server -am package");
    }
    int count = options.integer("orders", 10_000);
    int warmUpCount = options.integer("warmup-orders", 1_000_000);
    OrderFeed feed = new OrderFeed();
    String loadAtStart = loadAverage();

    try (BenchDatabase database = BenchDatabase.start();
        BenchKafka kafka = BenchKafka.start()) {
      String jdbcUrl = database.freshDatabase("bench_http");
      List<String> serverArgs =
          List.of(
              "--db-dsn", jdbcUrl,
              "--kafka-broker", kafka.bootstrapServers(),
              "--data-dir", work.resolve("data").toString());
      List<EncodedOrder> orders = feed.next(count);
      try (HikariDataSource pool = OrderDatabase.pool(jdbcUrl, 2, "bench-http")) {
        Migrations.migrate(pool);
        save(new PostgresOrderStore(pool), orders);
      }
      Wrk load =
          Wrk.forOrders(
              work,
              orders.stream().map(EncodedOrder::orderUid).toList(),
              wrk.threads(),
              wrk.connections());

      Map<String, byte[]> documents = new LinkedHashMap<>();
      Wrk.Result hits = measureCacheHits(load, serverArgs, orders, documents);
      TracingComparison tracing = compareTracing(load, serverArgs);
      Wrk.Result nginx = measureNginx(load, documents);
      CacheOff cacheOff = measureCacheOff(load, serverArgs);
      printRates(load, orders, loadAtStart, hits, nginx, cacheOff);
      printTracing(tracing);

      if (warmUpCount > count) {
        long jsonBytes = orders.stream().mapToLong(o -> o.json().length).sum();
        warmUp(feed, jdbcUrl, serverArgs, jsonBytes, count, warmUpCount, cacheOff.baselineHeap());
      }
    }
  }

  /**
   * Runs the server with its default cache, which the warm-up fills with every stored order, and
   * reads every order back into {@code documents} before loading it.
   */
  private Wrk.Result measureCacheHits(
      Wrk load, List<String> serverArgs, List<EncodedOrder> orders, Map<String, byte[]> documents)
      throws Exception {
    try (ServerProcess server =
        ServerProcess.start(jar, work, "server-hits", jvmOptions, serverArgs)) {
      ServerProcess.Readiness ready = server.awaitWarmedUp(WARM_UP_TIMEOUT);
      System.err.printf(
          "server up; %,d of %,d orders in its cache%n", ready.loaded(), ready.total());
      fetchAll(server, orders, documents);
      return measure(load, "order-server, cache hits", server.baseUri());
    }
  }

  /**
   * The cache hits with tracing off and on, two servers up side by side (the second exporting by
   * OTLP/HTTP with the SDK's default batching to a local endpoint that discards, {@link OtlpSink}),
   * measured alternately: off, on, on, off, so that the machine's other work falls on both sides
   * alike; the best run of each side counts, as in the other benchmarks. wrk sends no traceparent:
   * each request is a root span, and the default sampler keeps every one ({@code --trace-ratio}
   * keeps fewer).
   */
  private TracingComparison compareTracing(Wrk load, List<String> serverArgs) throws Exception {
    try (OtlpSink sink = OtlpSink.start();
        ServerProcess off =
            ServerProcess.start(jar, work, "server-tracing-off", jvmOptions, serverArgs);
        ServerProcess on =
            ServerProcess.start(
                jar, work, "server-tracing-on", jvmOptions, serverArgs, tracingVariables(sink))) {
      off.awaitWarmedUp(WARM_UP_TIMEOUT);
      on.awaitWarmedUp(WARM_UP_TIMEOUT);
      List<Wrk.Result> offRuns = new ArrayList<>();
      List<Wrk.Result> onRuns = new ArrayList<>();
      offRuns.add(measure(load, "cache hits, tracing off (1 of 2)", off.baseUri()));
      onRuns.add(measure(load, "cache hits, tracing on (1 of 2)", on.baseUri()));
      onRuns.add(measure(load, "cache hits, tracing on (2 of 2)", on.baseUri()));
      offRuns.add(measure(load, "cache hits, tracing off (2 of 2)", off.baseUri()));
      String ratio = options.text("trace-ratio", "");
      String sampled =
          ratio.isEmpty() ? "every request" : "a ratio of " + ratio + " of the requests";
      return new TracingComparison(offRuns, onRuns, sampled, sink.requests(), sink.bytes());
    }
  }

  /**
   * The traced server's OTEL_* variables: the sink as its endpoint, and with {@code --trace-ratio
   * R} (0..1) OpenTelemetry's ratio sampler, which keeps that share of the traces; else the default
   * sampler, which keeps every one.
   */
  private Map<String, String> tracingVariables(OtlpSink sink) {
    String ratio = options.text("trace-ratio", "");
    if (ratio.isEmpty()) {
      return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", sink.endpoint());
    }
    return Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        sink.endpoint(),
        "OTEL_TRACES_SAMPLER",
        "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG",
        ratio);
  }

  private Wrk.Result measureNginx(Wrk load, Map<String, byte[]> documents) throws Exception {
    try (Nginx nginx = Nginx.serve(work.resolve("nginx"), documents)) {
      return measure(load, "nginx, static files", nginx.baseUri());
    }
  }

  /** Runs the server with its cache disabled ({@code --cache-max-entries 0}): every GET misses. */
  private CacheOff measureCacheOff(Wrk load, List<String> serverArgs) throws Exception {
    String entries = options.text("miss-cache-entries", "0");
    return measureWithCache(
        load, serverArgs, entries, entries.equals("0") ? "cache disabled" : "cache of " + entries);
  }

  private CacheOff measureWithCache(Wrk load, List<String> serverArgs, String entries, String label)
      throws Exception {
    List<String> args = new ArrayList<>(serverArgs);
    args.addAll(List.of("--cache-max-entries", entries));
    try (ServerProcess server =
        ServerProcess.start(jar, work, "server-cache-" + entries, jvmOptions, args)) {
      server.awaitWarmedUp(WARM_UP_TIMEOUT);
      long baselineHeap = server.heapUsedAfterFullGc();
      return new CacheOff(
          label, measure(load, "order-server, " + label, server.baseUri()), baselineHeap);
    }
  }

  /**
   * Fills the store up to {@code warmUpCount} orders, starts a server whose cache holds them all
   * and reports how long the warm-up took and the heap it left in use.
   */
  private void warmUp(
      OrderFeed feed,
      String jdbcUrl,
      List<String> serverArgs,
      long jsonBytes,
      int stored,
      int warmUpCount,
      long baselineHeap)
      throws Exception {
    long totalBytes = jsonBytes;
    try (HikariDataSource pool = OrderDatabase.pool(jdbcUrl, 2, "bench-http")) {
      PostgresOrderStore store = new PostgresOrderStore(pool);
      System.err.printf("storing %,d more orders...%n", warmUpCount - stored);
      for (int done = stored; done < warmUpCount; ) {
        List<EncodedOrder> batch = feed.next(Math.min(SAVE_BATCH * 10, warmUpCount - done));
        save(store, batch);
        totalBytes += batch.stream().mapToLong(o -> o.json().length).sum();
        done += batch.size();
        if (done % 100_000 == 0) {
          System.err.printf("  %,d stored%n", done);
        }
      }
    }
    List<String> args = new ArrayList<>(serverArgs);
    args.addAll(List.of("--cache-max-entries", String.valueOf(warmUpCount)));
    System.err.printf("starting the server with a cache of %,d entries...%n", warmUpCount);
    try (ServerProcess server = ServerProcess.start(jar, work, "server-warmup", jvmOptions, args)) {
      ServerProcess.Readiness ready = server.awaitWarmedUp(WARM_UP_TIMEOUT);
      long heap = server.heapUsedAfterFullGc();
      double seconds = ready.warmedUp().toMillis() / 1000.0;
      System.out.printf(
          "warm-up: %,d orders (%,d B of JSON) cached %.1f s after the server's start (%,.0f"
              + " orders/s); /readyz first answered after %.1f s%n",
          ready.loaded(),
          totalBytes,
          seconds,
          ready.loaded() / seconds,
          ready.answered().toMillis() / 1000.0);
      if (ready.loaded() != warmUpCount) {
        System.out.printf("  NOTE: %,d orders loaded, %,d stored%n", ready.loaded(), warmUpCount);
      }
      double heapRatio = (double) heap / totalBytes;
      System.out.printf(
          "heap used after warm-up (after full GC, %s): %,d B; / JSON bytes = %.2f (target <="
              + " %.1f: %s)%n",
          String.join(" ", jvmOptions),
          heap,
          heapRatio,
          TARGET_HEAP_RATIO,
          heapRatio <= TARGET_HEAP_RATIO ? "met" : "NOT met");
      System.out.printf(
          "  of which the server without cached orders (cache-off run, after full GC): %,d B%n",
          baselineHeap);
    }
  }

  private void printRates(
      Wrk load,
      List<EncodedOrder> orders,
      String loadAtStart,
      Wrk.Result hits,
      Wrk.Result nginx,
      CacheOff cacheOff) {
    long jsonBytes = orders.stream().mapToLong(o -> o.json().length).sum();
    System.out.printf(
        "GET /orders/{uid} over %,d stored orders (random, 1-5 items; %,d B of JSON, %,d B each"
            + " on average)%n",
        orders.size(), jsonBytes, jsonBytes / orders.size());
    System.out.printf(
        "%s, random uids, each target alone after a %d s warm-up run; all on 127.0.0.1;"
            + " %d cores, load average %s at the start%n",
        load.describe(wrk.duration()),
        wrk.warmUpRun().toSeconds(),
        Runtime.getRuntime().availableProcessors(),
        loadAtStart);
    print("order-server, cache hits", hits);
    print("nginx, same bytes as files", nginx);
    double ratio = hits.requestsPerSecond() / nginx.requestsPerSecond();
    System.out.printf(
        "%-38s %10.2f            (order-server / nginx; target >= %.1f: %s)%n",
        "ratio", ratio, TARGET_RATIO, ratio >= TARGET_RATIO ? "met" : "NOT met");
    print("order-server, " + cacheOff.label(), cacheOff.result());
  }

  private static void printTracing(TracingComparison tracing) {
    System.out.println(
        "tracing off vs on: two servers up side by side, measured alternately (off, on, on, off),"
            + " each run after a warm-up run");
    // In the order they ran.
    print("order-server, cache hits, tracing off", tracing.off().get(0));
    print("order-server, cache hits, tracing on", tracing.on().get(0));
    print("order-server, cache hits, tracing on", tracing.on().get(1));
    print("order-server, cache hits, tracing off", tracing.off().get(1));
    System.out.printf("  sampled: %s%n", tracing.sampled());
    double ratio = best(tracing.on()) / best(tracing.off());
    System.out.printf(
        "%-38s %10.2f            (tracing on / off, best of each; target >= %.1f: %s)%n",
        "ratio", ratio, TARGET_TRACING_RATIO, ratio >= TARGET_TRACING_RATIO ? "met" : "NOT met");
    System.out.printf(
        "  spans sent to the discarding OTLP endpoint: %,d requests, %,d B (warm-up runs"
            + " included)%n",
        tracing.exports(), tracing.exportedBytes());
  }

  /** The best run: on a shared machine a slow run says more about the neighbours than the code. */
  private static double best(List<Wrk.Result> runs) {
    return runs.stream().mapToDouble(Wrk.Result::requestsPerSecond).max().orElse(0);
  }

  /** A warm-up run, then the measured run. */
  private Wrk.Result measure(Wrk load, String what, URI base)
      throws IOException, InterruptedException {
    System.err.printf("%s: warm-up run (%d s)...%n", what, wrk.warmUpRun().toSeconds());
    load.run(base, wrk.warmUpRun());
    System.err.printf("%s: measured run (%d s)...%n", what, wrk.duration().toSeconds());
    Wrk.Result result = load.run(base, wrk.duration());
    if (!result.clean()) {
      System.err.println("wrk saw errors:\n" + result.report());
    }
    return result;
  }

  /**
   * Reads every order back from the server: the files nginx serves are the server's own bytes. They
   * must also be the canonical JSON that was stored.
   */
  private static void fetchAll(
      ServerProcess server, List<EncodedOrder> orders, Map<String, byte[]> documents)
      throws IOException, InterruptedException {
    int differing = 0;
    for (EncodedOrder order : orders) {
      HttpResponse<byte[]> response = server.get("/orders/" + order.orderUid());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET /orders/" + order.orderUid() + " answered " + response.statusCode());
      }
      differing += Arrays.equals(response.body(), order.json()) ? 0 : 1;
      documents.put(order.orderUid(), response.body());
    }
    if (differing > 0) {
      System.err.printf(
          "WARNING: %,d of %,d orders came back other than their canonical JSON%n",
          differing, orders.size());
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** The 1-minute load average: the machine's other work, which shares the two cores. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static void save(PostgresOrderStore store, List<EncodedOrder> orders) {
    for (int from = 0; from < orders.size(); from += SAVE_BATCH) {
      for (SaveResult result :
          store.saveAll(orders.subList(from, Math.min(from + SAVE_BATCH, orders.size())))) {
        if (result.outcome() != SaveOutcome.INSERTED) {
          throw new IllegalStateException("expected INSERTED, got " + result);
        }
      }
    }
  }

  private static void print(String what, Wrk.Result result) {
    System.out.printf(
        "%-38s %,10.0f req/s   p99 %7.2f ms%s%n",
        what,
        result.requestsPerSecond(),
        result.p99Millis(),
        result.clean()
            ? ""
            : String.format(
                "   (%,d non-2xx, %,d socket errors)", result.non2xx(), result.socketErrors()));
  }

  private record CacheOff(String label, Wrk.Result result, long baselineHeap) {}

  private record TracingComparison(
      List<Wrk.Result> off,
      List<Wrk.Result> on,
      String sampled,
      long exports,
      long exportedBytes) {}

  /**
   * Random orders from one fixed seed, in order: the first N are the same on every run, so the
   * 10,000 of the rate runs are the first of the 1,000,000 of the warm-up.
   */
  private static final class OrderFeed {
    private final RandomOrders random = new RandomOrders(20261124L);
    private final OrderCodec codec = OrderCodec.standard();

    List<EncodedOrder> next(int count) {
      List<EncodedOrder> orders = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        orders.add(codec.encoded(random.next()));
      }
      return orders;
    }
  }
}
