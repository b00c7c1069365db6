package dev.orderservice.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

/**
 * Every route of the HTTP API in one place, and the wrappers around them, outermost first:
 * metrics (each exchange counted by route template when it completes), {@code nosniff} on every
 * response, then {@link ErrorMapping} around the routes. Stateless.
 */
final class HttpApi {

  private HttpApi() {}

  static HttpHandler handler(
      OrderEndpoints orders,
      HealthEndpoints health,
      MetricsEndpoint metrics,
      PageResources page,
      BearerToken token,
      HttpMetrics httpMetrics) {
    RoutingHandler routes = new RoutingHandler(false)
        .get("/orders/{order_uid}", orders::find)
        .get("/orders", orders::recent)
        .post("/orders/create", token.required(orders::upload))
        .post("/orders", token.required(orders::create))
        .get("/healthz", health::healthz)
        .get("/readyz", health::readyz)
        .get("/metrics", metrics::metrics)
        .get("/", page::index)
        .get("/assets/*", page::asset)
        .setFallbackHandler(HttpApi::notFound)
        .setInvalidMethodHandler(HttpApi::methodNotAllowed);
    HttpHandler mapped = ErrorMapping.around(routes);
    return httpMetrics.around(exchange -> {
      exchange.getResponseHeaders().put(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff");
      mapped.handleRequest(exchange);
    });
  }

  private static void notFound(HttpServerExchange exchange) {
    Responses.json(exchange, StatusCodes.NOT_FOUND, Json.error("no such endpoint"));
  }

  private static void methodNotAllowed(HttpServerExchange exchange) {
    Responses.json(exchange, StatusCodes.METHOD_NOT_ALLOWED, Json.error("method not allowed"));
  }
}
