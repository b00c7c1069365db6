package dev.orderservice.server.http;

import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.TraceLog;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.handlers.form.MultiPartParserDefinition;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * The one place where exceptions become responses. Wraps a handler, on the IO thread or on a worker
 * (every dispatched handler is wrapped again, since a dispatch leaves this frame; there it also
 * resumes the request's trace, {@link HttpTracing#resume}):
 *
 * <ul>
 *   <li>{@link ApiError}: its status and body;
 *   <li>a body over the limit ({@link RequestTooBigException}, a multipart file too large): 413,
 *       and the connection is closed instead of reading the rest;
 *   <li>a transient {@link OrderStoreException} (database down, pool exhausted) or a full worker
 *       queue: 503 with {@code Retry-After};
 *   <li>another I/O failure while reading the request: 400;
 *   <li>anything else: 500, logged with its stack trace.
 * </ul>
 *
 * <p>Stateless and thread safe.
 */
public final class ErrorMapping implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

  private final HttpHandler next;

  private ErrorMapping(HttpHandler next) {
    this.next = next;
  }

  static ErrorMapping around(HttpHandler next) {
    return new ErrorMapping(next);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    // A dispatched handler runs on another thread: the request's span and its log ids come along.
    try (TraceLog trace = HttpTracing.resume(exchange)) {
      next.handleRequest(exchange);
    } catch (Exception failure) { // an Error is left to Undertow, which answers 500
      respond(exchange, failure);
    }
  }

  static void respond(HttpServerExchange exchange, Throwable failure) {
    if (exchange.isResponseStarted()) {
      LOG.warn(
          "{} {} failed after the response started: {}",
          exchange.getRequestMethod(),
          exchange.getRequestPath(),
          failure.toString());
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    exchange.getResponseHeaders().remove(Headers.LOCATION);
    if (failure instanceof ApiError api) {
      Responses.json(exchange, api.status(), api.body());
    } else if (isTooLarge(failure)) {
      // Do not drain the rest of an oversized body: answer and close the connection.
      exchange.setPersistent(false);
      Responses.json(
          exchange,
          StatusCodes.REQUEST_ENTITY_TOO_LARGE,
          Json.error("the document is over the limit of " + RequestBodies.MAX_BYTES + " bytes"));
    } else if (failure instanceof OrderStoreException store && store.isTransient()) {
      LOG.warn(
          "{} {}: database unavailable: {}",
          exchange.getRequestMethod(),
          routeOf(exchange),
          store.getMessage());
      unavailable(exchange, "the database is unavailable; try again later");
    } else if (failure instanceof RejectedExecutionException) {
      unavailable(exchange, "the server is busy; try again later");
    } else if (failure instanceof IOException) {
      LOG.debug("could not read a request body", failure);
      exchange.setPersistent(false);
      Responses.json(
          exchange,
          StatusCodes.BAD_REQUEST,
          Json.error("could not read the request body: " + failure.getClass().getSimpleName()));
    } else {
      LOG.error("{} {} failed", exchange.getRequestMethod(), routeOf(exchange), failure);
      Responses.json(exchange, StatusCodes.INTERNAL_SERVER_ERROR, Json.error("internal error"));
    }
  }

  private static void unavailable(HttpServerExchange exchange, String message) {
    exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "5");
    Responses.json(exchange, StatusCodes.SERVICE_UNAVAILABLE, Json.error(message));
  }

  private static boolean isTooLarge(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RequestTooBigException
          || t instanceof MultiPartParserDefinition.FileTooLargeException) {
        return true;
      }
    }
    return false;
  }

  /** The route template, not the raw path: a path can carry anything a client typed. */
  private static String routeOf(HttpServerExchange exchange) {
    return HttpMetrics.routeOf(exchange);
  }
}
