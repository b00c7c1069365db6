package dev.orderservice.server.http;

import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderSearch;
import dev.orderservice.domain.TraceLog;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import java.util.Objects;

/**
 * Traces of the HTTP API: a {@link SpanKind#SERVER} span per request, named by method and route
 * template ({@code GET /orders/{order_uid}}, never the raw path, which carries uids), continuing
 * the caller's trace when the request carries a W3C {@code traceparent} (the propagators of the
 * {@link OpenTelemetry} given, by default W3C trace context and baggage). Its attributes follow the
 * HTTP semantic conventions: {@code http.request.method}, {@code http.route}, {@code
 * http.response.status_code}, {@code url.scheme}; a 5xx marks it an error. The search's query is a
 * {@link SpanKind#CLIENT} child span ({@link #search}); the lookup's reads are children too, made
 * by {@link dev.orderservice.domain.OrderLookup} itself.
 *
 * <p>While a request's code runs, on the IO thread and on the worker it is dispatched to ({@link
 * #resume}, which {@link ErrorMapping} calls for every dispatched handler), its span is the current
 * one and the logging MDC carries {@value #TRACE_ID} and {@value #SPAN_ID}, so its log lines, the
 * access line included, name the trace.
 *
 * <p>Off (built over {@link OpenTelemetry#noop()}), {@link #around} and {@link #search} return what
 * they are given: a request costs nothing more. Thread safe.
 */
public final class HttpTracing {

  /** The MDC key of the current trace id (32 hex digits). */
  public static final String TRACE_ID = TraceLog.TRACE_ID;

  /** The MDC key of the current span id (16 hex digits). */
  public static final String SPAN_ID = TraceLog.SPAN_ID;

  /** The name of the search query's span. */
  static final String SEARCH_SPAN = "SELECT orders";

  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");
  private static final AttributeKey<String> DB_OPERATION =
      AttributeKey.stringKey("db.operation.name");
  private static final AttributeKey<String> DB_TABLE = AttributeKey.stringKey("db.collection.name");
  private static final AttributeKey<Long> RESULTS = AttributeKey.longKey("order.search.results");

  /** The context of the request's span, for the handlers dispatched to other threads. */
  private static final AttachmentKey<Context> CONTEXT = AttachmentKey.create(Context.class);

  private static final TextMapGetter<HttpServerExchange> HEADERS = new RequestHeaders();

  /** Null when off. */
  private final Tracer tracer;

  private final TextMapPropagator propagator;

  /** Traces with {@code openTelemetry}; off if it is {@link OpenTelemetry#noop()}. */
  public HttpTracing(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    boolean off = openTelemetry == OpenTelemetry.noop();
    this.tracer = off ? null : openTelemetry.getTracer(HttpTracing.class.getName());
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  /** {@code next}, each request in a server span of its own; {@code next} itself when off. */
  HttpHandler around(HttpHandler next) {
    if (tracer == null) {
      return next;
    }
    return exchange -> {
      String method = method(exchange);
      Context parent = propagator.extract(Context.root(), exchange, HEADERS);
      Span span =
          tracer
              .spanBuilder(method.equals("_OTHER") ? "HTTP" : method) // named by route on its end
              .setSpanKind(SpanKind.SERVER)
              .setParent(parent)
              .setAttribute(METHOD, method)
              .setAttribute(SCHEME, exchange.getRequestScheme())
              .startSpan();
      Context context = parent.with(span);
      exchange.putAttachment(CONTEXT, context);
      exchange.addExchangeCompleteListener(new EndSpan(span, method));
      try (TraceLog scope = TraceLog.enter(context)) {
        next.handleRequest(exchange);
      }
    };
  }

  /**
   * Makes the request's span current on this thread, with its ids in the MDC, until closed; null
   * (nothing to close) when the request is not traced or its span is current already.
   */
  static TraceLog resume(HttpServerExchange exchange) {
    Context context = exchange.getAttachment(CONTEXT);
    if (context == null || Context.current() == context) {
      return null;
    }
    return TraceLog.enter(context);
  }

  /** {@code search}, each query in a client span of its own; {@code search} itself when off. */
  public OrderSearch search(OrderSearch search) {
    Objects.requireNonNull(search, "search");
    if (tracer == null) {
      return search;
    }
    return query -> {
      Span span =
          tracer
              .spanBuilder(SEARCH_SPAN)
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute(DB_SYSTEM, "postgresql")
              .setAttribute(DB_OPERATION, "SELECT")
              .setAttribute(DB_TABLE, "orders")
              .startSpan();
      try (Scope scope = span.makeCurrent()) {
        OrderPage page = search.search(query);
        span.setAttribute(RESULTS, page.orders().size());
        return page;
      } catch (RuntimeException e) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR);
        throw e;
      } finally {
        span.end();
      }
    };
  }

  /** The method as the conventions want it: a known one, else {@code _OTHER}. */
  private static String method(HttpServerExchange exchange) {
    String method = exchange.getRequestMethod().toString();
    return HttpMetrics.METHODS.contains(method) ? method : "_OTHER";
  }

  /**
   * Names and ends the request's span once the exchange is done: by then the route has matched. The
   * listeners after it (the access log) run with the span's ids in the MDC.
   */
  private record EndSpan(Span span, String method) implements ExchangeCompletionListener {

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
      String route = HttpMetrics.routeOf(exchange);
      int status = exchange.getStatusCode();
      if (!route.equals(HttpMetrics.UNMATCHED)) {
        span.updateName((method.equals("_OTHER") ? "HTTP" : method) + " " + route);
        span.setAttribute(ROUTE, route);
      }
      span.setAttribute(STATUS, status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
      try (TraceLog scope = TraceLog.enter(Context.root().with(span))) {
        next.proceed();
      }
    }
  }

  /** Reads propagation headers (traceparent, tracestate, baggage) from the request. */
  private static final class RequestHeaders implements TextMapGetter<HttpServerExchange> {
    @Override
    public Iterable<String> keys(HttpServerExchange exchange) {
      return exchange.getRequestHeaders().getHeaderNames().stream().map(Object::toString).toList();
    }

    @Override
    public String get(HttpServerExchange exchange, String key) {
      if (exchange == null) {
        return null;
      }
      HeaderValues values = exchange.getRequestHeaders().get(key);
      return values == null ? null : values.getFirst();
    }
  }
}
