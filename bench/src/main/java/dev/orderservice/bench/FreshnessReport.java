package dev.orderservice.bench;

import java.util.List;
import java.util.Map;

/** Prints one rate's figures of the freshness benchmark, with their targets. */
final class FreshnessReport {

  private final FreshnessPhase phase;
  private final List<FeedWatcher> feeds;
  private final Map<Integer, Integer> owners;
  private final ReadBackProbe readBack;
  private final Map<String, Long> commits;

  /**
   * @param commits when each order committed in PostgreSQL (nanoTime), or null when unknown
   */
  FreshnessReport(
      FreshnessPhase phase,
      List<FeedWatcher> feeds,
      Map<Integer, Integer> owners,
      ReadBackProbe readBack,
      Map<String, Long> commits) {
    this.phase = phase;
    this.feeds = feeds;
    this.owners = owners;
    this.readBack = readBack;
    this.commits = commits;
  }

  void print(String load, ServerStages stages) {
    Latencies otherFeed = new Latencies();
    Latencies ownFeed = new Latencies();
    Latencies read = new Latencies();
    Latencies acked = new Latencies();
    Latencies stored = new Latencies();
    Latencies storedToAnnounced = new Latencies();
    for (int i = 0; i < phase.orders.size(); i++) {
      String uid = phase.orders.get(i).orderUid();
      long sent = phase.sentAt[i];
      int owner = owners.getOrDefault(phase.partition[i], 0);
      Long other = feeds.get(1 - owner).arrival(uid);
      Long own = feeds.get(owner).arrival(uid);
      otherFeed.add(other - sent);
      ownFeed.add(own - sent);
      acked.add(phase.ackedAt[i] - sent);
      Long answered = readBack.answeredAt(uid);
      if (answered != null) {
        read.add(answered - sent);
      }
      Long committed = commits == null ? null : commits.get(uid);
      if (committed != null) {
        stored.add(committed - sent);
        storedToAnnounced.add(other - committed);
      }
    }
    double targetP99 = phase.rate <= 1_000 ? 50 : 100;
    Double targetP50 = phase.rate <= 1_000 ? 15.0 : null;
    System.out.printf(
        "%n%,d orders/s (sent at %,.0f/s), %,d orders; load average after %s%n",
        phase.rate, phase.orders.size() / phase.sendingSeconds(), phase.orders.size(), load);
    line("(a) announced, other instance's feed", otherFeed.summary(), targetP99, targetP50);
    line(
        "(b) GET 200, either instance (every "
            + phase.probeEvery
            + "th order, read every 2 ms for 50 ms, then slower)",
        read.summary(),
        targetP99,
        targetP50);
    if (readBack.abandoned() > 0) {
      System.out.printf("    %d read-backs never answered 200 within 30 s%n", readBack.abandoned());
    }
    System.out.println("  where the time goes (from the producer's send, per order):");
    System.out.println("    announced, own instance's feed       " + ownFeed.summary().millis());
    System.out.println("    send -> acknowledged by Kafka        " + acked.summary().millis());
    if (commits != null) {
      System.out.println("    send -> committed in PostgreSQL      " + stored.summary().millis());
      System.out.println(
          "    committed -> announced at the client " + storedToAnnounced.summary().millis());
    } else {
      System.out.println("    (commit times unknown: track_commit_timestamp is off)");
    }
    System.out.println("  the servers' own stage timers (both servers, bucket bounds):");
    for (String line : stages.lines()) {
      System.out.println("    " + line);
    }
  }

  private static void line(String what, Latencies.Summary summary, double p99, Double p50) {
    boolean met = summary.p99() / 1e6 <= p99 && (p50 == null || summary.p50() / 1e6 <= p50);
    System.out.printf(
        "  %-70s %s  target p99 <= %.0f ms%s: %s%n",
        what,
        summary.millis(),
        p99,
        p50 == null ? "" : String.format(", p50 <= %.0f ms", p50),
        met ? "met" : "NOT met");
  }
}
