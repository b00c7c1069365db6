package dev.orderservice.server.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Times every HTTP exchange when it completes, as Micrometer's {@code http.server.requests} timer
 * (Prometheus: {@code http_server_requests_seconds}, with a histogram for quantiles) tagged by
 * {@code method}, {@code uri} (the matched route template such as {@code /orders/{order_uid}},
 * never the raw path, so no order uid becomes a label), {@code status} and {@code outcome}; and,
 * when access logging is on, logs one line per exchange with {@code route} and {@code status} in
 * the MDC. Labels are bounded: unknown methods are {@code OTHER}, unmatched paths {@value
 * #UNMATCHED}. Thread safe; a timer is looked up once per label set.
 */
public final class HttpMetrics {

  /** The uri label of a request no route matched. */
  static final String UNMATCHED = "UNMATCHED";

  private static final Logger ACCESS = LoggerFactory.getLogger("dev.orderservice.server.access");

  /** The methods that are labels of their own; others are {@code OTHER}. */
  static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

  private final MeterRegistry registry;
  private final boolean accessLog;
  private final Map<Labels, Timer> timers = new ConcurrentHashMap<>();

  public HttpMetrics(MeterRegistry registry, boolean accessLog) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.accessLog = accessLog;
  }

  /** {@code next}, with each exchange timed (and logged) when it completes. */
  HttpHandler around(HttpHandler next) {
    return exchange -> {
      long start = System.nanoTime();
      exchange.addExchangeCompleteListener(
          (done, nextListener) -> {
            try {
              record(done, System.nanoTime() - start);
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

  private void record(HttpServerExchange exchange, long nanos) {
    String method = exchange.getRequestMethod().toString();
    Labels labels =
        new Labels(
            routeOf(exchange),
            METHODS.contains(method) ? method : "OTHER",
            exchange.getStatusCode());
    timers.computeIfAbsent(labels, this::timer).record(nanos, TimeUnit.NANOSECONDS);
    if (accessLog) {
      logAccess(labels, nanos);
    }
  }

  private Timer timer(Labels labels) {
    return Timer.builder("http.server.requests")
        .description("HTTP requests, by method, route template, status and outcome.")
        .tag("method", labels.method())
        .tag("uri", labels.route())
        .tag("status", Integer.toString(labels.status()))
        .tag("outcome", outcome(labels.status()))
        .publishPercentileHistogram()
        .register(registry);
  }

  private static void logAccess(Labels labels, long nanos) {
    try (MDC.MDCCloseable route = MDC.putCloseable("route", labels.route());
        MDC.MDCCloseable status = MDC.putCloseable("status", Integer.toString(labels.status()))) {
      ACCESS.info(
          "{} {} {} {} ms",
          labels.method(),
          labels.route(),
          labels.status(),
          String.format("%.1f", nanos / 1e6));
    }
  }

  /** Micrometer's outcome names for a status class. */
  private static String outcome(int status) {
    if (status >= 100 && status < 200) {
      return "INFORMATIONAL";
    } else if (status < 300) {
      return "SUCCESS";
    } else if (status < 400) {
      return "REDIRECTION";
    } else if (status < 500) {
      return "CLIENT_ERROR";
    } else if (status < 600) {
      return "SERVER_ERROR";
    }
    return "UNKNOWN";
  }

  private record Labels(String route, String method, int status) {}
}
