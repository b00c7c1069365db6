package dev.orderservice.domain;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The find use case: the canonical JSON of an order by its uid, from the cache, else from the
 * store, which then fills the cache. Every lookup asks the cache exactly once, so its hits and
 * misses count lookups.
 *
 * <p>A hit is answered at once: {@link #find} returns a future that is already complete, on the
 * caller's thread, with no hand-over to another one. A miss is queued, and a reader takes whatever
 * is queued when it starts or is done with its previous read (up to {@link Builder#maxBatchSize})
 * and reads it with one {@link OrderStore#findJsonAll}. Under load the lookups that arrive while a
 * read runs share the next one, so the store answers one query per batch instead of one per lookup;
 * with no load a miss is read at once, alone.
 *
 * <p>Readers run on the executor the caller hands over ({@link Builder#executor}), at most {@link
 * Builder#maxConcurrentReads} at a time (each holds a database connection while it reads). By
 * default a reader runs on the thread of the lookup that starts it: that {@code find} blocks for
 * the read, and answers the other lookups queued meanwhile too; while as many reads as allowed run,
 * a miss returns at once and one of them answers it. The future of a miss completes on the reader's
 * thread, and so do the actions chained to it: keep them short, or chain with the {@code *Async}
 * variants.
 *
 * <p>Traces, when the builder is handed an {@link OpenTelemetry} ({@link Builder#openTelemetry}):
 * each read is a span {@value #READ_SPAN} whose parent is the span current when the first of its
 * misses was looked up (e.g. the HTTP request's), linked to the spans of the other misses it
 * answers. Hits make no span. Without it nothing is traced and a lookup costs what it did.
 *
 * <p>Thread safe. {@link #close()} refuses further misses and waits for those already queued to be
 * answered; the executor stays the caller's to shut down, after this lookup is closed.
 */
public final class OrderLookup implements AutoCloseable {

  /** Reads at once unless {@link Builder#maxConcurrentReads} says otherwise. */
  public static final int DEFAULT_MAX_CONCURRENT_READS = 2;

  /** Uids per read unless {@link Builder#maxBatchSize} says otherwise. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 64;

  /** Misses that may wait unless {@link Builder#maxWaiting} says otherwise. */
  public static final int DEFAULT_MAX_WAITING = 1_000;

  /** The name of a read's span. */
  public static final String READ_SPAN = "read orders";

  /** How many uids a read asked for (a span attribute). */
  static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("order.lookup.batch_size");

  /** How many of them were stored (a span attribute). */
  static final AttributeKey<Long> FOUND = AttributeKey.longKey("order.lookup.found");

  private final OrderStore store;
  private final OrderCache cache;
  private final Executor executor;
  private final int maxConcurrentReads;
  private final int maxBatchSize;
  private final Duration closeTimeout;
  private final BlockingQueue<Lookup> waiting;

  /** Null when not traced: then a miss captures no context and a read makes no span. */
  private final Tracer tracer;

  /** Readers handed to the executor and not finished yet: never more than maxConcurrentReads. */
  private final AtomicInteger readers = new AtomicInteger();

  /** What {@link #close()} waits on; notified whenever a reader stops once closed. */
  private final Object idle = new Object();

  private volatile boolean closed;

  private OrderLookup(Builder builder) {
    this.store = builder.store;
    this.cache = builder.cache;
    this.executor = builder.executor;
    this.maxConcurrentReads = builder.maxConcurrentReads;
    this.maxBatchSize = builder.maxBatchSize;
    this.closeTimeout = builder.closeTimeout;
    this.waiting = new ArrayBlockingQueue<>(builder.maxWaiting);
    // A no-op one traces nothing either: then a miss need not even capture its context.
    this.tracer =
        builder.openTelemetry == null || builder.openTelemetry == OpenTelemetry.noop()
            ? null
            : builder.openTelemetry.getTracer(OrderLookup.class.getName());
  }

  /** A lookup over {@code store} and {@code cache}, the settings still to choose. */
  public static Builder builder(OrderStore store, OrderCache cache) {
    return new Builder(store, cache);
  }

  /**
   * The canonical JSON of the order with this uid, byte for byte what was accepted, or empty if no
   * such order is stored.
   *
   * @return on a cache hit, a future already complete; on a miss, one completed by a reader once
   *     the store has answered (the cache is filled first), or completed exceptionally with what
   *     the store threw, e.g. a transient {@link OrderStoreException}
   * @throws RejectedExecutionException on a miss, if {@link Builder#maxWaiting} misses are waiting
   *     already or this lookup is closed
   */
  public CompletableFuture<Optional<byte[]>> find(String orderUid) {
    Objects.requireNonNull(orderUid, "orderUid");
    Optional<byte[]> cached = cache.get(orderUid);
    if (cached.isPresent()) {
      return CompletableFuture.completedFuture(cached);
    }
    if (closed) {
      throw new RejectedExecutionException("the lookup is closed");
    }
    Context caller = tracer == null ? null : Context.current();
    Lookup lookup = new Lookup(orderUid, new CompletableFuture<>(), caller);
    if (!waiting.offer(lookup)) {
      throw new RejectedExecutionException("too many lookups waiting for the database");
    }
    startReader();
    return lookup.answer();
  }

  /**
   * Refuses further misses (hits are still answered), and returns once the misses already queued
   * are answered or the close timeout has passed. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    synchronized (idle) {
      while (readers.get() > 0 || !waiting.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(idle, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Hands a reader to the executor, unless as many as allowed run already. */
  private void startReader() {
    int running;
    do {
      running = readers.get();
      if (running >= maxConcurrentReads) {
        return; // a running reader takes what is queued before it stops
      }
    } while (!readers.compareAndSet(running, running + 1));
    try {
      executor.execute(this::readWhileWaiting);
    } catch (RejectedExecutionException refused) {
      refuseWaiting(refused);
    }
  }

  /** A reader: reads what is queued, a batch at a time, until nothing is. */
  private void readWhileWaiting() {
    try {
      List<Lookup> batch = new ArrayList<>(maxBatchSize);
      while (waiting.drainTo(batch, maxBatchSize) > 0) {
        read(batch);
        batch.clear();
      }
    } finally {
      readers.decrementAndGet();
      // A lookup queued after the last drain, while this reader still counted, started no reader
      // of its own (there were enough): this one starts it.
      if (!waiting.isEmpty()) {
        startReader();
      }
      wakeClose();
    }
  }

  private void read(List<Lookup> batch) {
    if (tracer == null) {
      readUntraced(batch);
      return;
    }
    Span span = readSpan(batch);
    try (Scope scope = span.makeCurrent()) {
      readUntraced(batch);
    } finally {
      span.end();
    }
  }

  private void readUntraced(List<Lookup> batch) {
    Set<String> uids = new LinkedHashSet<>();
    batch.forEach(lookup -> uids.add(lookup.orderUid()));
    try {
      Map<String, byte[]> found = store.findJsonAll(uids);
      found.forEach(cache::put);
      Span.current().setAttribute(FOUND, found.size());
      for (Lookup lookup : batch) {
        lookup.answer().complete(Optional.ofNullable(found.get(lookup.orderUid())));
      }
    } catch (RuntimeException failure) {
      Span.current().recordException(failure);
      Span.current().setStatus(StatusCode.ERROR);
      batch.forEach(lookup -> lookup.answer().completeExceptionally(failure));
    }
  }

  /**
   * The span of one read: a child of the first miss's caller, linked to the other callers' spans
   * (one read answers lookups of several requests; a span has one parent).
   */
  private Span readSpan(List<Lookup> batch) {
    Context parent = batch.get(0).caller();
    SpanBuilder span =
        tracer
            .spanBuilder(READ_SPAN)
            .setParent(parent)
            .setAttribute(BATCH_SIZE, (long) batch.size());
    SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
    for (Lookup lookup : batch.subList(1, batch.size())) {
      SpanContext other = Span.fromContext(lookup.caller()).getSpanContext();
      if (other.isValid() && !other.equals(parentSpan)) {
        span.addLink(other);
      }
    }
    return span.startSpan();
  }

  /**
   * The executor refused a reader: if no other reader is left to take what is queued, nothing would
   * ever answer it, so it is refused too.
   */
  private void refuseWaiting(RejectedExecutionException refused) {
    if (readers.decrementAndGet() == 0) {
      List<Lookup> stranded = new ArrayList<>();
      waiting.drainTo(stranded);
      stranded.forEach(lookup -> lookup.answer().completeExceptionally(refused));
    }
    wakeClose();
  }

  private void wakeClose() {
    if (closed) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  /**
   * A miss waiting for a reader, where its answer goes, and the context it was looked up in (null
   * when not traced).
   */
  private record Lookup(
      String orderUid, CompletableFuture<Optional<byte[]>> answer, Context caller) {}

  /** Settings of an {@link OrderLookup}; each is checked when set. Not thread safe. */
  public static final class Builder {
    private final OrderStore store;
    private final OrderCache cache;
    private Executor executor = Runnable::run;
    private int maxConcurrentReads = DEFAULT_MAX_CONCURRENT_READS;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private int maxWaiting = DEFAULT_MAX_WAITING;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private OpenTelemetry openTelemetry;

    private Builder(OrderStore store, OrderCache cache) {
      this.store = Objects.requireNonNull(store, "store");
      this.cache = Objects.requireNonNull(cache, "cache");
    }

    /**
     * Runs the readers, each a task that reads until nothing is queued; never more than {@link
     * #maxConcurrentReads} tasks at once, so an executor with that many threads never queues one.
     * If it refuses a task while no reader runs, the misses queued are completed with its {@link
     * RejectedExecutionException}. Default: the thread of the lookup that starts the reader.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The most reads at once, each on a database connection of the store while it runs. Default
     * {@value OrderLookup#DEFAULT_MAX_CONCURRENT_READS}.
     */
    public Builder maxConcurrentReads(int reads) {
      require(reads >= 1, "maxConcurrentReads must be >= 1, was " + reads);
      this.maxConcurrentReads = reads;
      return this;
    }

    /** The most uids one read asks for. Default {@value OrderLookup#DEFAULT_MAX_BATCH_SIZE}. */
    public Builder maxBatchSize(int uids) {
      require(uids >= 1, "maxBatchSize must be >= 1, was " + uids);
      this.maxBatchSize = uids;
      return this;
    }

    /**
     * The most misses waiting for a reader; further ones are refused. Default {@value
     * OrderLookup#DEFAULT_MAX_WAITING}.
     */
    public Builder maxWaiting(int lookups) {
      require(lookups >= 1, "maxWaiting must be >= 1, was " + lookups);
      this.maxWaiting = lookups;
      return this;
    }

    /** How long {@link OrderLookup#close()} waits for the queued misses. Default 5 s. */
    public Builder closeTimeout(Duration timeout) {
      require(
          timeout != null && !timeout.isNegative() && !timeout.isZero(),
          "closeTimeout must be > 0");
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * Traces each read (see {@link OrderLookup}) with this application's OpenTelemetry; no global
     * one is ever used. Default: none, nothing traced.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    public OrderLookup build() {
      return new OrderLookup(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
