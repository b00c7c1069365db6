package dev.orderservice.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import java.util.Objects;

/**
 * {@code GET /metrics}: every meter of the server's Prometheus registry, in the Prometheus text
 * format. Cheap enough to answer on the IO thread. Thread safe.
 */
public final class MetricsEndpoint {

  /** The Prometheus text format's content type, as Prometheus asks for it. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;

  public MetricsEndpoint(PrometheusMeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  void metrics(HttpServerExchange exchange) {
    Responses.send(exchange, StatusCodes.OK, CONTENT_TYPE, registry.scrape().getBytes(UTF_8));
  }
}
