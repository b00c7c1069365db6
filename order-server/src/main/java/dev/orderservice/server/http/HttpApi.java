package dev.orderservice.server.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.Objects;

/**
 * Every route of the HTTP API in one place, and the wrappers around them, outermost first: metrics
 * (each exchange counted by route template when it completes), traces ({@link HttpTracing}: a span
 * per request, when on), {@code nosniff} on every response, then {@link ErrorMapping} around the
 * routes. Stateless.
 *
 * <p>The writes need the bearer token when one is configured, the reads of orders (lookup, search,
 * the live feed) only when reads are protected too ({@code PROTECT_READS}); erasure, export and the
 * audit log always (without a token they are refused); the page, health, metrics and the contract
 * are always open. {@code /orders/stream} and {@code /orders/events} are routes of their own, which
 * win over {@code /orders/{order_uid}} (Undertow matches a literal path before a template): of an
 * order whose uid is {@code stream} or {@code events}, a search ({@code GET /orders?...}) finds the
 * summary, but its address serves the feed.
 *
 * <p>{@link #routes} is the one list of routes: the server routes by it, and the tests compare it
 * with the OpenAPI document ({@code openapi/openapi.json}), so a route added here and not there
 * fails the build.
 */
public final class HttpApi {

  private HttpApi() {}

  public static HttpHandler handler(
      OrderEndpoints orders,
      HealthEndpoints health,
      MetricsEndpoint metrics,
      PageResources page,
      ContractEndpoints contract,
      DocsResources docs,
      PersonalDataEndpoints personal,
      HttpHandler stream,
      HttpHandler events,
      BearerToken token,
      HttpMetrics httpMetrics,
      HttpTracing tracing) {
    RoutingHandler routing =
        new RoutingHandler(false)
            .setFallbackHandler(HttpApi::notFound)
            .setInvalidMethodHandler(HttpApi::methodNotAllowed);
    for (Route route :
        routes(orders, health, metrics, page, contract, docs, personal, stream, events, token)) {
      routing.add(route.method(), route.template(), route.handler());
    }
    HttpHandler mapped = ErrorMapping.around(routing);
    // Tracing inside the metrics: its span ends first, and the access line carries its ids.
    return httpMetrics.around(
        tracing.around(
            exchange -> {
              exchange.getResponseHeaders().put(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff");
              mapped.handleRequest(exchange);
            }));
  }

  /**
   * The Undertow server of the API on {@code host:port} (port 0 picks a free one), not started:
   * bodies limited as {@link RequestBodies} says, slow or idle clients timed out.
   */
  public static Undertow undertow(String host, int port, HttpHandler handler) {
    long maxEntity = (long) RequestBodies.MAX_BYTES + RequestBodies.MULTIPART_OVERHEAD;
    return Undertow.builder()
        .addHttpListener(port, host)
        .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
        .setWorkerThreads(4) // Undertow's own pool serves only the page's static files
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntity)
        .setServerOption(UndertowOptions.MULTIPART_MAX_ENTITY_SIZE, maxEntity)
        .setServerOption(UndertowOptions.MEMORY_STORAGE_THRESHOLD, (long) RequestBodies.MAX_BYTES)
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 120_000)
        .setHandler(handler)
        .build();
  }

  /** The routes, in the order they are registered; Undertow path templates. */
  public static List<Route> routes(
      OrderEndpoints orders,
      HealthEndpoints health,
      MetricsEndpoint metrics,
      PageResources page,
      ContractEndpoints contract,
      DocsResources docs,
      PersonalDataEndpoints personal,
      HttpHandler stream,
      HttpHandler events,
      BearerToken token) {
    return List.of(
        Route.get("/orders/{order_uid}", token.requiredForReads(orders::find)),
        Route.get("/orders/stream", token.requiredForReads(stream)),
        Route.get("/orders/events", token.requiredForReads(events)),
        Route.get("/orders", token.requiredForReads(orders::search)),
        Route.post("/orders/create", token.required(orders::upload)),
        Route.post("/orders", token.required(orders::create)),
        Route.post(PersonalDataEndpoints.ERASE_ORDER, token.requiredAlways(personal::eraseOrder)),
        Route.post(
            PersonalDataEndpoints.ERASE_CUSTOMER, token.requiredAlways(personal::eraseCustomer)),
        Route.get(PersonalDataEndpoints.EXPORT, token.requiredAlways(personal::exportCustomer)),
        Route.get(PersonalDataEndpoints.AUDIT, token.requiredAlways(personal::audit)),
        Route.get("/healthz", health::healthz),
        Route.get("/readyz", health::readyz),
        Route.get("/metrics", metrics::metrics),
        Route.get("/", page::index),
        Route.get("/assets/*", page::asset),
        Route.get("/schema/order.json", contract::schema),
        Route.get("/openapi.json", contract::openApi),
        Route.get("/docs", docs::page),
        Route.get("/docs/{file}", docs::file));
  }

  /** One route: a method, an Undertow path template and what answers it. */
  public record Route(HttpString method, String template, HttpHandler handler) {

    public Route {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(template, "template");
      Objects.requireNonNull(handler, "handler");
    }

    static Route get(String template, HttpHandler handler) {
      return new Route(Methods.GET, template, handler);
    }

    static Route post(String template, HttpHandler handler) {
      return new Route(Methods.POST, template, handler);
    }
  }

  private static void notFound(HttpServerExchange exchange) {
    Responses.json(exchange, StatusCodes.NOT_FOUND, Json.error("no such endpoint"));
  }

  private static void methodNotAllowed(HttpServerExchange exchange) {
    Responses.json(exchange, StatusCodes.METHOD_NOT_ALLOWED, Json.error("method not allowed"));
  }
}
