package dev.orderservice.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts HTTP requests by route template, method and status, and their durations per route as a
 * histogram. Labels are bounded: the route is the matched template ({@code /orders/{order_uid}}),
 * never the raw path, and unknown methods are {@code OTHER}. Thread safe and lock free on the
 * request path.
 */
final class HttpMetrics {

  /** Upper bounds of the duration buckets, in seconds. */
  static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  /** The route label of a request no route matched. */
  static final String UNMATCHED = "unmatched";

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

  private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Durations> durations = new ConcurrentHashMap<>();

  /** {@code next}, with each exchange counted when it completes. */
  HttpHandler around(HttpHandler next) {
    return exchange -> {
      long start = System.nanoTime();
      exchange.addExchangeCompleteListener((done, nextListener) -> {
        try {
          record(routeOf(done), done.getRequestMethod().toString(), done.getStatusCode(),
              System.nanoTime() - start);
        } finally {
          nextListener.proceed();
        }
      });
      next.handleRequest(exchange);
    };
  }

  /** The template of the route that matched the exchange, or {@value #UNMATCHED}. */
  static String routeOf(HttpServerExchange exchange) {
    PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
    return match == null ? UNMATCHED : match.getMatchedTemplate();
  }

  void record(String route, String method, int status, long nanos) {
    String knownMethod = METHODS.contains(method) ? method : "OTHER";
    requests.computeIfAbsent(new RequestKey(route, knownMethod, status), k -> new LongAdder())
        .increment();
    durations.computeIfAbsent(route, r -> new Durations()).record(nanos);
  }

  void writeTo(PrometheusText text) {
    text.family("http_requests_total", "counter",
        "HTTP requests by route template, method and status.");
    new TreeMap<>(Map.copyOf(requests)).forEach((key, count) ->
        text.sample("http_requests_total", count.sum(), "route", key.route(),
            "method", key.method(), "status", Integer.toString(key.status())));
    text.family("http_request_duration_seconds", "histogram",
        "Time from the start of a request to the end of its response, by route template.");
    new TreeMap<>(Map.copyOf(durations)).forEach((route, d) -> d.writeTo(text, route));
  }

  private record RequestKey(String route, String method, int status)
      implements Comparable<RequestKey> {
    @Override
    public int compareTo(RequestKey other) {
      int byRoute = route.compareTo(other.route);
      if (byRoute != 0) {
        return byRoute;
      }
      int byMethod = method.compareTo(other.method);
      return byMethod != 0 ? byMethod : Integer.compare(status, other.status);
    }
  }

  /** One route's histogram: a count per bucket (not cumulative until written), sum, count. */
  private static final class Durations {
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    Durations() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    void record(long nanos) {
      double seconds = nanos / 1e9;
      for (int i = 0; i < BUCKETS.length; i++) {
        if (seconds <= BUCKETS[i]) {
          buckets[i].increment();
          break;
        }
      }
      sumNanos.add(nanos);
      count.increment();
    }

    void writeTo(PrometheusText text, String route) {
      long total = count.sum(); // read first: buckets may only have grown since
      long cumulative = 0;
      for (int i = 0; i < BUCKETS.length; i++) {
        cumulative += buckets[i].sum();
        text.sample("http_request_duration_seconds_bucket", Math.min(cumulative, total),
            "route", route, "le", PrometheusText.format(BUCKETS[i]));
      }
      text.sample("http_request_duration_seconds_bucket", total, "route", route, "le", "+Inf");
      text.sample("http_request_duration_seconds_sum", sumNanos.sum() / 1e9, "route", route);
      text.sample("http_request_duration_seconds_count", total, "route", route);
    }
  }
}
