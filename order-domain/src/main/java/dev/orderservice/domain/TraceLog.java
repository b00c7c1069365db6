package dev.orderservice.domain;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * A trace context made current on this thread, with its span's trace and span ids in the logging
 * MDC ({@value #TRACE_ID}, {@value #SPAN_ID}) so that the log lines made meanwhile carry them,
 * until {@link #close()} puts back what was there before. A span without a valid context (tracing
 * off) changes nothing and costs nothing. Shared by the ingest's and the HTTP server's spans, so
 * that every log line names its trace the same way.
 *
 * <p>Used by one thread, in a try-with-resources.
 */
public final class TraceLog implements AutoCloseable {

  /** The MDC key of the current span's trace id (32 hex digits). */
  public static final String TRACE_ID = "trace_id";

  /** The MDC key of the current span's id (16 hex digits). */
  public static final String SPAN_ID = "span_id";

  private static final TraceLog NONE = new TraceLog(null, null, null);

  private final Scope scope;
  private final String traceIdBefore;
  private final String spanIdBefore;

  private TraceLog(Scope scope, String traceIdBefore, String spanIdBefore) {
    this.scope = scope;
    this.traceIdBefore = traceIdBefore;
    this.spanIdBefore = spanIdBefore;
  }

  /** Makes {@code span} current, if its context is valid. */
  public static TraceLog of(Span span) {
    if (!span.getSpanContext().isValid()) {
      return NONE;
    }
    return enter(Context.current().with(span));
  }

  /** Makes {@code context} current, with the ids of its span if it has a valid one. */
  public static TraceLog enter(Context context) {
    SpanContext span = Span.fromContext(context).getSpanContext();
    String traceIdBefore = MDC.get(TRACE_ID);
    String spanIdBefore = MDC.get(SPAN_ID);
    Scope scope = context.makeCurrent();
    if (span.isValid()) {
      MDC.put(TRACE_ID, span.getTraceId());
      MDC.put(SPAN_ID, span.getSpanId());
    }
    return new TraceLog(scope, traceIdBefore, spanIdBefore);
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
