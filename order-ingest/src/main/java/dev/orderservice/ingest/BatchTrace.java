package dev.orderservice.ingest;

import dev.orderservice.domain.TraceLog;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The span of one batch ({@value IngestTracing#BATCH}) and what happens to it: links to the
 * producers of its records, its child spans, its outcome and its retries. {@link #OFF} when tracing
 * is off: every method then does nothing, and reads no record header.
 *
 * <p>Used by the ingest thread, except {@link #inChild} and {@link #outcomes}, which the store
 * threads call too (a span is thread safe).
 */
final class BatchTrace {

  /** No span: tracing is off. */
  static final BatchTrace OFF = new BatchTrace(null, Span.getInvalid());

  private final IngestTracing tracing;
  private final Span span;
  private int links;

  BatchTrace(IngestTracing tracing, Span span) {
    this.tracing = tracing;
    this.span = span;
  }

  Span span() {
    return span;
  }

  /**
   * Links the batch's span to the producer span of each of {@code records} that carries a W3C
   * {@code traceparent} header, up to {@link IngestTracing#MAX_LINKS} links in all. Only while the
   * span records (it is sampled), so an untraced batch reads no header.
   */
  void link(List<ConsumerRecord<byte[], byte[]>> records) {
    if (tracing == null || !span.isRecording()) {
      return;
    }
    for (int i = 0; i < records.size() && links < IngestTracing.MAX_LINKS; i++) {
      SpanContext producer = IngestTracing.producerOf(records.get(i));
      if (producer.isValid()) {
        span.addLink(producer);
        links++;
      }
    }
  }

  /**
   * Runs {@code step} inside a child span named {@code name}, made current on this thread with its
   * ids in the MDC, and ends it; a failure marks the span and is thrown on. Without tracing, runs
   * it with an invalid span.
   *
   * @param count how many records or orders the step handles ({@code order.count})
   */
  void inChild(String name, int count, Consumer<Span> step) {
    if (tracing == null) {
      step.accept(span);
      return;
    }
    Span child = tracing.startChild(name, span);
    child.setAttribute(IngestTracing.ORDERS, (long) count);
    run(child, step);
  }

  /**
   * Publishes {@code letters} inside the batch's dead-letter span (see {@link #inChild}); no span
   * when there are none.
   */
  void inDeadLetterSpan(List<DeadLetter> letters, Consumer<List<DeadLetter>> publish) {
    if (tracing == null || letters.isEmpty()) {
      publish.accept(letters);
      return;
    }
    run(tracing.startDeadLetters(span, letters.size()), s -> publish.accept(letters));
  }

  private static void run(Span child, Consumer<Span> step) {
    try (TraceLog current = TraceLog.of(child)) {
      step.accept(child);
    } catch (RuntimeException | Error e) {
      IngestTracing.failed(child, e);
      throw e;
    } finally {
      child.end();
    }
  }

  /** The batch's span made current on this thread, with its ids in the MDC, until closed. */
  TraceLog current() {
    return TraceLog.of(span);
  }

  /** Its records are all taken: counts them and names their partitions. */
  void sealed(List<ConsumerRecord<byte[], byte[]>> records) {
    if (tracing == null || !span.isRecording()) {
      return;
    }
    span.setAttribute(IngestTracing.MESSAGE_COUNT, (long) records.size());
    TreeSet<Integer> partitions = new TreeSet<>();
    records.forEach(r -> partitions.add(r.partition()));
    if (partitions.size() == 1) {
      span.setAttribute(IngestTracing.PARTITION, partitions.first().toString());
    } else if (!partitions.isEmpty()) {
      span.setAttribute(
          IngestTracing.PARTITIONS, partitions.stream().map(String::valueOf).toList());
    }
  }

  /** Sets the outcome counts on {@code target}: this batch's span, or a child's. */
  static void outcomes(Span target, int inserted, int duplicates, int conflicts, int rejected) {
    if (!target.isRecording()) {
      return;
    }
    target.setAllAttributes(
        Attributes.of(
            IngestTracing.INSERTED, (long) inserted,
            IngestTracing.DUPLICATE, (long) duplicates,
            IngestTracing.CONFLICT, (long) conflicts,
            IngestTracing.REJECTED, (long) rejected));
  }

  /**
   * A step failed transiently, and is tried again after {@code wait}: an event {@code retry} with
   * the attempt that follows the wait (the first try being attempt 1), the wait and what failed.
   */
  void retrying(int attempt, Duration wait, Throwable cause) {
    if (tracing == null) {
      return;
    }
    span.addEvent(
        "retry",
        Attributes.of(
            IngestTracing.ATTEMPT, (long) attempt,
            IngestTracing.WAIT_MS, wait.toMillis(),
            IngestTracing.EXCEPTION_TYPE, cause.getClass().getName()));
  }

  /** A failure the ingest does not survive: marks the span failed. */
  void failed(Throwable failure) {
    if (tracing != null) {
      IngestTracing.failed(span, failure);
    }
  }

  /** Its offsets are recorded and their commit sent: the batch is done. */
  void end() {
    span.end();
  }

  /**
   * It is dropped before its offsets are committed (partitions moved, the database fell behind, the
   * ingest stopped): its records are read again, as another batch. An event {@code abandoned}.
   */
  void abandon() {
    if (tracing != null) {
      span.addEvent("abandoned");
      span.end();
    }
  }
}
