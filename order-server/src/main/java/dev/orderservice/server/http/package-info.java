/**
 * The HTTP API on Undertow. {@link dev.orderservice.server.http.HttpApi} lists every route and
 * wraps them (metrics by route template, {@code nosniff}, {@link
 * dev.orderservice.server.http.ErrorMapping}, the one place where an exception becomes a status).
 * Handlers are small: they check what they can on the IO thread and answer there when nothing
 * blocks (a cache hit), else dispatch the blocking part (JDBC, reading a body) to the worker pool.
 *
 * <p>Every class here is thread safe: one instance of each serves every request.
 */
package dev.orderservice.server.http;
