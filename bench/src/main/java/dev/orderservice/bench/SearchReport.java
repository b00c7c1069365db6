package dev.orderservice.bench;

import java.util.Map;

/** The figures of {@code bench/run search}, each beside its target. */
final class SearchReport {

  private SearchReport() {}

  /** Everything one run measured. */
  record Run(
      int count,
      String loadAtStart,
      String loadWhenMeasuring,
      Wrk.Settings wrk,
      int searchThreads,
      String pgbenchVersion,
      Map<String, SearchBenchmark.Measured> kinds,
      SearchUnderIngest.Result underIngest) {}

  static void print(Run run) {
    System.out.printf(
        "orders: %,d stored (about 50 per customer, 2 per track number, over %d days in 4 offsets);"
            + " %d cores, load average %s at the start, %s when measuring; PostgreSQL %s; %s%n",
        run.count(),
        SearchSpread.DAYS,
        Runtime.getRuntime().availableProcessors(),
        run.loadAtStart(),
        run.loadWhenMeasuring(),
        System.getenv("BENCH_DB_DSN") == null ? "embedded" : "BENCH_DB_DSN",
        run.pgbenchVersion());
    System.out.printf(
        "GET /orders, 2,000 different queries of each kind picked at random, 20 a page: saturated"
            + " with wrk -t%d -c%d -d%ds; pgbench -M prepared -c %d (the connections the server"
            + " gives searches) running the server's statement; then wrk paced to %.0f%% of the"
            + " saturated rate. CPU per search: the server's JVM and PostgreSQL, saturated run.%n",
        run.wrk().threads(),
        run.wrk().connections(),
        run.wrk().duration().toSeconds(),
        run.searchThreads(),
        SearchBenchmark.PACED_SHARE * 100);
    boolean allMet = true;
    for (Map.Entry<String, SearchBenchmark.Measured> entry : run.kinds().entrySet()) {
      SearchBenchmark.Measured m = entry.getValue();
      double ratio = m.saturated().requestsPerSecond() / m.pgbench().transactionsPerSecond();
      boolean rateMet = ratio >= SearchBenchmark.TARGET_PGBENCH_RATIO;
      boolean p99Met = m.paced().p99Millis() <= SearchBenchmark.TARGET_P99_MILLIS;
      allMet &= rateMet && p99Met;
      System.out.printf(
          "  %-24s %,6.0f req/s (p99 %6.2f ms) vs pgbench %,6.0f tps: %.2fx (target >= %.1fx: %s)"
              + " | CPU/search server %3.0f us, PostgreSQL %3.0f us | paced %,6.0f req/s"
              + " (%d connections) p99 %6.2f ms (target <= %.0f ms: %s)%n",
          entry.getKey() + ":",
          m.saturated().requestsPerSecond(),
          m.saturated().p99Millis(),
          m.pgbench().transactionsPerSecond(),
          ratio,
          SearchBenchmark.TARGET_PGBENCH_RATIO,
          verdict(rateMet),
          m.cpu().server(),
          m.cpu().postgres(),
          m.paced().requestsPerSecond(),
          m.pacedConnections(),
          m.paced().p99Millis(),
          SearchBenchmark.TARGET_P99_MILLIS,
          verdict(p99Met));
    }
    SearchUnderIngest.Result ingest = run.underIngest();
    double idleSearch = run.kinds().get("by customer").saturated().requestsPerSecond();
    double searchRatio = ingest.searches().requestsPerSecond() / idleSearch;
    boolean searchMet = searchRatio >= SearchBenchmark.TARGET_SEARCH_UNDER_INGEST;
    boolean ingestMet = ingest.ingestRatio() >= SearchBenchmark.TARGET_INGEST_UNDER_SEARCH;
    System.out.printf(
        "with the ingest at full speed (a backlog in Kafka): customer searches %,.0f req/s (p99"
            + " %.2f ms) vs %,.0f idle: %.2fx (target >= %.1fx: %s); ingest %,.0f orders/s vs"
            + " %,.0f / %,.0f alone before / after: %.2fx (target >= %.1fx: %s)%n",
        ingest.searches().requestsPerSecond(),
        ingest.searches().p99Millis(),
        idleSearch,
        searchRatio,
        SearchBenchmark.TARGET_SEARCH_UNDER_INGEST,
        verdict(searchMet),
        ingest.ingestDuring(),
        ingest.ingestBefore(),
        ingest.ingestAfter(),
        ingest.ingestRatio(),
        SearchBenchmark.TARGET_INGEST_UNDER_SEARCH,
        verdict(ingestMet));
    System.out.println("every target met: " + (allMet && searchMet && ingestMet ? "yes" : "NO"));
  }

  private static String verdict(boolean met) {
    return met ? "met" : "NOT met";
  }
}
