package dev.orderservice.ingest;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * A span made current on this thread, with its trace and span ids in the MDC ({@value #TRACE_ID},
 * {@value #SPAN_ID}) so that the log lines made meanwhile carry them, until {@link #close()} puts
 * back what was there before. A span without a valid context (tracing off) changes nothing and
 * costs nothing.
 *
 * <p>Used by one thread, in a try-with-resources.
 */
final class CurrentSpan implements AutoCloseable {

  /** The MDC key of the current span's trace id (32 hex digits). */
  static final String TRACE_ID = "trace_id";

  /** The MDC key of the current span's id (16 hex digits). */
  static final String SPAN_ID = "span_id";

  private static final CurrentSpan NONE = new CurrentSpan(null, null, null);

  private final Scope scope;
  private final String traceIdBefore;
  private final String spanIdBefore;

  private CurrentSpan(Scope scope, String traceIdBefore, String spanIdBefore) {
    this.scope = scope;
    this.traceIdBefore = traceIdBefore;
    this.spanIdBefore = spanIdBefore;
  }

  /** Makes {@code span} current, if its context is valid. */
  static CurrentSpan of(Span span) {
    SpanContext context = span.getSpanContext();
    if (!context.isValid()) {
      return NONE;
    }
    String traceIdBefore = MDC.get(TRACE_ID);
    String spanIdBefore = MDC.get(SPAN_ID);
    MDC.put(TRACE_ID, context.getTraceId());
    MDC.put(SPAN_ID, context.getSpanId());
    return new CurrentSpan(span.makeCurrent(), traceIdBefore, spanIdBefore);
  }

  @Override
  public void close() {
    if (scope == null) {
      return;
    }
    scope.close();
    restore(TRACE_ID, traceIdBefore);
    restore(SPAN_ID, spanIdBefore);
  }

  private static void restore(String key, String before) {
    if (before == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, before);
    }
  }
}
