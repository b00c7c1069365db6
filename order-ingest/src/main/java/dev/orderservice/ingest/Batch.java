package dev.orderservice.ingest;

import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderDocument;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.ValidatedOrders;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one poll on their way to a commit: decoded and validated once, then stored, then
 * the rejected ones dead-lettered. Each step runs once; a transient failure leaves the batch at the
 * step that failed, so a retry resumes there and never stores or counts twice.
 *
 * <p>The decoded orders are split into groups by a hash of their uid, and the groups are stored at
 * the same time, each in a transaction of its own on a connection of its own: the database then
 * works on several parts of the batch at once. Orders with the same uid are always in the same
 * group, in their order in the batch, so the first of them still wins. A group that is stored stays
 * stored when another fails; a retry stores the rest.
 *
 * <p>Used by the ingest thread, and during {@link #store} by the threads it is given.
 */
final class Batch {

  /**
   * The fewest valid orders per group: a batch of fewer than twice as many is stored in one
   * transaction, as splitting it would cost more transactions than it saves time.
   */
  static final int MIN_GROUP_SIZE = 100;

  private final List<ConsumerRecord<byte[], byte[]>> records;
  private final BatchTrace trace;
  private final long polledAtNanos;
  private final long polledAtMillis = System.currentTimeMillis();
  private volatile long storedAtNanos;
  private final List<DeadLetter> rejectedBeforeStore = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private final List<Chunk> chunks = new ArrayList<>();
  private final List<Group> groups = new ArrayList<>();
  private int maxGroups = 1;
  private boolean sealed;
  private boolean stored;
  private boolean deadLettered;

  /**
   * @param records what a poll returned (or its oldest part), in partition order and each
   *     partition's in offset order
   * @param trace its span, started when it was polled ({@link BatchTrace#OFF} without tracing)
   */
  Batch(List<ConsumerRecord<byte[], byte[]>> records, long polledAtNanos, BatchTrace trace) {
    this.records = new ArrayList<>(records);
    this.polledAtNanos = polledAtNanos;
    this.trace = trace;
  }

  /** Its span and what happens to it. */
  BatchTrace trace() {
    return trace;
  }

  /** Ends the spans of {@code batches} (each may be null) as abandoned: they are read again. */
  static void abandonTraces(Batch... batches) {
    for (Batch batch : batches) {
      if (batch != null) {
        batch.trace.abandon();
      }
    }
  }

  /**
   * Reads and checks every record through the service ({@link OrderService#check}); the records it
   * rejects (unreadable or invalid) become dead letters at once. The valid orders are split into up
   * to {@code groupCount} groups by uid, at least {@link #MIN_GROUP_SIZE} orders each, when the
   * batch is {@link #seal sealed}. Needs no I/O.
   */
  void check(OrderService service, int groupCount) {
    this.maxGroups = groupCount;
    checkFrom(0, service);
  }

  /**
   * Adds records a later poll returned, checked as {@link #check} does: a batch waiting for the
   * store grows by what arrives meanwhile, so that those records are stored with it rather than a
   * store later.
   *
   * @throws IllegalStateException if the batch is sealed
   */
  void append(List<ConsumerRecord<byte[], byte[]>> more, OrderService service) {
    if (sealed) {
      throw new IllegalStateException("a sealed batch takes no more records");
    }
    int start = records.size();
    records.addAll(more);
    checkFrom(start, service);
  }

  private void checkFrom(int start, OrderService service) {
    List<ConsumerRecord<byte[], byte[]>> added = records.subList(start, records.size());
    trace.link(added);
    trace.inChild(
        IngestTracing.CHECK, added.size(), span -> checkFrom(start, added, service, span));
  }

  private void checkFrom(
      int start, List<ConsumerRecord<byte[], byte[]>> added, OrderService service, Span span) {
    List<OrderDocument> documents = new ArrayList<>(added.size());
    for (ConsumerRecord<byte[], byte[]> record : added) {
      documents.add(OrderDocument.of(record.value() == null ? new byte[0] : record.value()));
    }
    ValidatedOrders checked = service.check(documents);
    int rejectedBefore = rejectedBeforeStore.size();
    for (int i = 0; i < checked.size(); i++) {
      Optional<AcceptResult> rejected = checked.rejectedAt(i);
      if (rejected.isPresent()) {
        DeadLetter letter = DeadLetter.of(records.get(start + i), rejected.get());
        rejectedBeforeStore.add(letter);
        deadLetters.add(letter);
      }
    }
    chunks.add(new Chunk(start, checked));
    span.setAttribute(IngestTracing.REJECTED, (long) rejectedBeforeStore.size() - rejectedBefore);
  }

  /** The size up to which a batch waiting for the store is gathered: see {@link #isGathering}. */
  static final int GATHER_UP_TO = 2 * MIN_GROUP_SIZE;

  /**
   * Whether it may take more records: its store has not begun, and it holds fewer than {@code
   * limit}.
   */
  boolean canGrow(int limit) {
    return !sealed && records.size() < limit;
  }

  /**
   * Whether the ingest goes on polling for it while the store before it runs: while it may grow and
   * is smaller than {@link #GATHER_UP_TO}. A batch that big is stored efficiently; past it the
   * ingest is behind, and polling every 2 ms for more would only spend the CPU the store needs.
   */
  boolean isGathering(int limit) {
    return canGrow(limit) && records.size() < GATHER_UP_TO;
  }

  /** Whether its store has begun: it takes no more records. */
  boolean isSealed() {
    return sealed;
  }

  /**
   * Splits the valid orders into the groups stored apart, by uid, and takes no more records. Called
   * on the ingest thread before the store begins; idempotent.
   */
  void seal() {
    if (sealed) {
      return;
    }
    sealed = true;
    trace.sealed(records);
    int validCount = chunks.stream().mapToInt(c -> c.checked().validCount()).sum();
    int groupCount = Math.max(1, Math.min(maxGroups, validCount / MIN_GROUP_SIZE));
    List<List<Integer>> indices = new ArrayList<>();
    List<List<ValidatedOrders>> parts = new ArrayList<>();
    for (int g = 0; g < groupCount; g++) {
      indices.add(new ArrayList<>());
      parts.add(new ArrayList<>());
    }
    for (Chunk chunk : chunks) {
      List<List<Integer>> local = new ArrayList<>();
      for (int g = 0; g < groupCount; g++) {
        local.add(new ArrayList<>());
      }
      for (int i = 0; i < chunk.checked().size(); i++) {
        Optional<EncodedOrder> valid = chunk.checked().validAt(i);
        if (valid.isPresent()) {
          int g = Math.floorMod(valid.get().orderUid().hashCode(), groupCount);
          local.get(g).add(i);
          indices.get(g).add(chunk.start() + i);
        }
      }
      for (int g = 0; g < groupCount; g++) {
        parts.get(g).add(chunk.checked().only(local.get(g)));
      }
    }
    for (int g = 0; g < groupCount; g++) {
      groups.add(new Group(indices.get(g), ValidatedOrders.concat(parts.get(g))));
    }
  }

  /** The records from {@code start} on, as the service checked them. */
  private record Chunk(int start, ValidatedOrders checked) {}

  boolean isStored() {
    return stored;
  }

  /**
   * Stores the groups not stored yet, at once: one on the calling thread, the others on {@code
   * others}. Invalid and conflicting orders become dead letters. If the store rejects a group for
   * good (a value the database cannot hold), each of its orders is stored alone so that only the
   * guilty ones are rejected.
   *
   * @throws OrderStoreException if a group failed transiently, once every group has ended; the
   *     groups that were stored stay stored
   */
  void store(OrderService service, Executor others) {
    seal(); // a no-op when the ingest thread sealed it before handing it to the store
    List<CompletableFuture<Void>> running = new ArrayList<>();
    Group here = null;
    for (Group group : groups) {
      if (group.stored) {
        continue;
      }
      if (here == null) {
        here = group;
      } else {
        running.add(CompletableFuture.runAsync(() -> group.store(service), others));
      }
    }
    RuntimeException failure = null;
    try {
      if (here != null) {
        here.store(service);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
    for (CompletableFuture<Void> group : running) {
      try {
        group.join();
      } catch (CompletionException e) {
        RuntimeException cause =
            e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
        failure = failure == null ? cause : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
    collectDeadLetters();
    BatchTrace.outcomes(trace.span(), inserted(), duplicates(), conflicts(), deadLetters.size());
    stored = true;
    storedAtNanos = System.nanoTime();
  }

  /** When the store of its last group ended ({@link System#nanoTime()}); 0 before. */
  long storedAtNanos() {
    return storedAtNanos;
  }

  /** When it was polled, on the wall clock (milliseconds since the epoch). */
  long polledAtMillis() {
    return polledAtMillis;
  }

  /** Its records, in poll order. */
  List<ConsumerRecord<byte[], byte[]>> records() {
    return records;
  }

  int inserted() {
    return groups.stream().mapToInt(g -> g.inserted).sum();
  }

  int duplicates() {
    return groups.stream().mapToInt(g -> g.duplicates).sum();
  }

  int conflicts() {
    return groups.stream().mapToInt(g -> g.conflicts).sum();
  }

  /** Every rejected record: those rejected before storing, then the others, in batch order. */
  private void collectDeadLetters() {
    deadLetters.clear();
    deadLetters.addAll(rejectedBeforeStore);
    List<IndexedDeadLetter> rejected = new ArrayList<>();
    for (Group group : groups) {
      rejected.addAll(group.rejected);
    }
    rejected.sort(Comparator.comparingInt(IndexedDeadLetter::index));
    rejected.forEach(r -> deadLetters.add(r.letter()));
  }

  private record IndexedDeadLetter(int index, DeadLetter letter) {}

  /** The orders of one hash group: stored together, in one transaction. */
  private final class Group {
    /** The group's records' positions in the batch. */
    final List<Integer> indices;

    final ValidatedOrders validated;
    final List<IndexedDeadLetter> rejected = new ArrayList<>();
    volatile boolean stored;
    int inserted;
    int duplicates;
    int conflicts;

    Group(List<Integer> indices, ValidatedOrders validated) {
      this.indices = List.copyOf(indices);
      this.validated = validated;
    }

    /** Stores the group in a span of its own, on this thread: one transaction, one connection. */
    void store(OrderService service) {
      trace.inChild(IngestTracing.STORE, indices.size(), span -> store(service, span));
    }

    private void store(OrderService service, Span span) {
      // A retry after a transient failure starts this group over: forget what the failed try saw.
      rejected.clear();
      inserted = 0;
      duplicates = 0;
      conflicts = 0;
      if (!indices.isEmpty()) {
        try {
          collect(indices, service.store(validated));
        } catch (OrderStoreException e) {
          if (e.isTransient()) {
            throw e;
          }
          span.addEvent("stored one by one");
          storeOneByOne(service);
        }
      }
      BatchTrace.outcomes(span, inserted, duplicates, conflicts, rejected.size());
      stored = true;
    }

    private void storeOneByOne(OrderService service) {
      for (int k = 0; k < indices.size(); k++) {
        int index = indices.get(k);
        try {
          collect(List.of(index), service.store(validated.only(List.of(k))));
        } catch (OrderStoreException e) {
          if (e.isTransient()) {
            throw e; // what was stored so far is absorbed as DUPLICATE on the retry
          }
          rejected.add(
              new IndexedDeadLetter(
                  index,
                  new DeadLetter(
                      records.get(index),
                      RejectionStage.TASK_PUT,
                      e.getClass().getName(),
                      e.getMessage())));
        }
      }
    }

    private void collect(List<Integer> from, List<AcceptResult> results) {
      for (int k = 0; k < results.size(); k++) {
        AcceptResult result = results.get(k);
        switch (result.status()) {
          case INSERTED -> inserted++;
          case DUPLICATE -> duplicates++;
          default -> {
            conflicts += result.status() == AcceptResult.Status.CONFLICT ? 1 : 0;
            int index = from.get(k);
            rejected.add(new IndexedDeadLetter(index, DeadLetter.of(records.get(index), result)));
          }
        }
      }
    }
  }

  boolean isDeadLettered() {
    return deadLettered;
  }

  List<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** Whether nothing of the batch is still to be dead-lettered: it was, or there is nothing. */
  boolean hasNoDeadLettersDue() {
    return deadLettered || deadLetters.isEmpty();
  }

  void markDeadLettered() {
    deadLettered = true;
  }

  /** The offsets to commit once the batch is done: one past the last record of each partition. */
  Map<TopicPartition, OffsetAndMetadata> nextOffsets() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      offsets.merge(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return offsets;
  }

  /** Where to read the batch again: its first record of each partition. */
  Map<TopicPartition, OffsetAndMetadata> firstOffsets() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      offsets.merge(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset(), record.leaderEpoch(), ""),
          (a, b) -> a.offset() <= b.offset() ? a : b);
    }
    return offsets;
  }

  /** The first offset of each partition among {@code batch} and {@code after} (or null). */
  static Map<TopicPartition, OffsetAndMetadata> firstOffsets(Batch batch, Batch after) {
    Map<TopicPartition, OffsetAndMetadata> first = new HashMap<>(batch.firstOffsets());
    if (after != null) {
      after.firstOffsets().forEach(first::putIfAbsent);
    }
    return first;
  }

  /** Whether any record of the batch comes from one of {@code partitions}. */
  boolean touches(Set<TopicPartition> partitions) {
    return records.stream()
        .anyMatch(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
  }

  int size() {
    return records.size();
  }

  long polledAtNanos() {
    return polledAtNanos;
  }
}
