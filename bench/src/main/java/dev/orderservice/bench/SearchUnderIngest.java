package dev.orderservice.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The searches and the Kafka ingest of one server at the same time: a producer fills the server's
 * topic with new orders far faster than the server stores them, so that the ingest runs at full
 * speed; then the ingest's rate is measured alone, with wrk's saturated searches, and alone again.
 * The rate with searches is compared with the mean of the two alone, so that a change in the
 * machine's other load falls on both sides alike; the searches' rate with the ingest, with their
 * rate without it (measured before, on the same server). The ingest's rate is read from the
 * server's own counter of inserted orders ({@code order_ingest_orders_total{outcome="inserted"}}).
 */
final class SearchUnderIngest {

  private static final Pattern INSERTED =
      Pattern.compile("(?m)^order_ingest_orders_total\\{[^}]*outcome=\"inserted\"[^}]*} (\\S+)$");
  private static final Duration FIRST_BATCH_AT_MOST = Duration.ofMinutes(2);

  /**
   * What was measured.
   *
   * @param ingestBefore orders/s stored with no search, before
   * @param ingestDuring orders/s stored while wrk searched
   * @param ingestAfter orders/s stored with no search, after
   * @param searches wrk's report of the searches during the ingest
   */
  record Result(double ingestBefore, double ingestDuring, double ingestAfter, Wrk.Result searches) {

    double ingestRatio() {
      return ingestDuring / ((ingestBefore + ingestAfter) / 2);
    }
  }

  private SearchUnderIngest() {}

  /**
   * Produces {@code backlog} new orders to {@code topic}, which {@code server} consumes, then
   * measures three windows of {@code window} each: ingest alone, with {@code wrk}'s searches,
   * alone.
   *
   * @throws IllegalStateException if the ingest stored the whole backlog before the last window
   *     ended (its rate would then be the producer's): run with a larger {@code --ingest-backlog}
   */
  static Result measure(
      ServerProcess server,
      String bootstrapServers,
      String topic,
      int backlog,
      Wrk wrk,
      Duration window)
      throws Exception {
    produce(bootstrapServers, topic, backlog);
    long deadline = System.nanoTime() + FIRST_BATCH_AT_MOST.toNanos();
    while (inserted(server) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the server stored nothing of topic " + topic + " in " + FIRST_BATCH_AT_MOST);
      }
      // Polling the server's counter: nothing to wait on.
      Thread.sleep(100);
    }
    System.err.printf("ingest alone for %ds...%n", window.toSeconds());
    Window before = window(server, window, null);
    System.err.printf("ingest with saturated searches for %ds...%n", window.toSeconds());
    Window during = window(server, window, wrk);
    System.err.printf("ingest alone again for %ds...%n", window.toSeconds());
    Window after = window(server, window, null);
    long stored = inserted(server);
    if (stored >= backlog) {
      throw new IllegalStateException(
          "the ingest stored all "
              + backlog
              + " orders of the backlog before the last window ended: its rate is not its full"
              + " speed; run with a larger --ingest-backlog");
    }
    return new Result(
        before.ingestRate(), during.ingestRate(), after.ingestRate(), during.searches());
  }

  /**
   * One window: the orders/s the server stored, and wrk's report when it searched meanwhile.
   *
   * @param searches null for a window without searches
   */
  private record Window(double ingestRate, Wrk.Result searches) {}

  /** The ingest over {@code window}; with {@code wrk}, while it searches for the same time. */
  private static Window window(ServerProcess server, Duration window, Wrk wrk)
      throws IOException, InterruptedException {
    long start = inserted(server);
    long startedAt = System.nanoTime();
    Wrk.Result searches = null;
    if (wrk == null) {
      // The window itself: the ingest runs in the server meanwhile.
      Thread.sleep(window.toMillis());
    } else {
      searches = wrk.run(server.baseUri(), window);
    }
    long stored = inserted(server) - start;
    return new Window(stored / ((System.nanoTime() - startedAt) / 1e9), searches);
  }

  private static long inserted(ServerProcess server) throws IOException, InterruptedException {
    String metrics = new String(server.get("/metrics").body(), UTF_8);
    Matcher m = INSERTED.matcher(metrics);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return (long) total;
  }

  /**
   * New orders (uids {@code n...}), each generated and encoded as it is sent so that none waits in
   * memory; every one acknowledged before this returns.
   */
  private static void produce(String bootstrapServers, String topic, int backlog) {
    System.err.printf("producing a backlog of %,d new orders to %s...%n", backlog, topic);
    RandomOrders random = new RandomOrders(20261206L);
    OrderCodec codec = OrderCodec.standard();
    Iterator<EncodedOrder> orders =
        IntStream.range(0, backlog)
            .mapToObj(i -> codec.encoded(random.next(String.format("n%09d", i))))
            .iterator();
    Stopwatch watch = Stopwatch.start();
    BenchProducer.produce(bootstrapServers, "bench-search-producer", topic, orders);
    System.err.printf(
        "produced %,d orders in %.1f s (the ingest began meanwhile)%n",
        backlog, watch.millisUntil(System.nanoTime()) / 1000.0);
  }
}
