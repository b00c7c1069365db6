package dev.orderservice.ingest;

import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.TraceLog;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batches between a poll and their commit. At most two are in hand: the oldest, stored on the
 * store executor while the ingest thread polls and checks the one after it, which grows by what
 * arrives until its store begins. A stored batch is settled (its rejects dead-lettered, its offsets
 * handed to {@link SettledOffsets}, then counted and dropped) in the order the batches were polled.
 * A transient failure pauses the partitions and retries the step that failed after a backoff; a
 * rebalance hands the batches over ({@link #handOver}).
 *
 * <p>Not thread safe: used by the ingest thread only, the rebalance listener included (it runs
 * inside {@code poll()}). Only the store itself runs elsewhere, on the store executor.
 */
final class IngestPipeline {

  // The component's logger, not this class's: operators set one logger's level for the ingest.
  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  private final Consumer<byte[], byte[]> consumer;
  private final DeadLetterPublisher deadLetters;
  private final OrderService service;
  private final int storeConnections;
  private final StoreInFlight store;
  private final PositionKeeper positions;
  private final SettledOffsets settled;
  private final IngestCounters counters;
  private final KafkaRefusals refusals;
  private final Backoff backoff;
  private final BatchRamp ramp;
  private final Duration pollTimeout;
  private final Duration closeTimeout;
  private final String topic;
  private final IngestTracing tracing;

  private Batch inHand;
  private Batch next;
  private int nextLimit;
  private long retryAtNanos;
  private boolean retryPending;

  /**
   * @param store where batches are stored: the batch in hand, or (once that one is stored) the next
   */
  IngestPipeline(
      IngestSettings settings,
      Consumer<byte[], byte[]> consumer,
      DeadLetterPublisher deadLetters,
      StoreInFlight store,
      PositionKeeper positions,
      IngestCounters counters,
      KafkaRefusals refusals) {
    this.consumer = consumer;
    this.deadLetters = deadLetters;
    this.service = settings.service();
    this.storeConnections = settings.storeConnections();
    this.store = store;
    this.positions = positions;
    this.settled = new SettledOffsets(consumer, positions, counters, settings.tracing());
    this.counters = counters;
    this.refusals = refusals;
    this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
    this.ramp = new BatchRamp(settings.maxBatchSize());
    this.pollTimeout = settings.pollTimeout();
    this.closeTimeout = settings.closeTimeout();
    this.topic = settings.topic();
    this.tracing = settings.tracing();
  }

  /**
   * Polls, stores, dead-letters and commits, batch after batch, until {@code closing} says so
   * (checked after each poll; {@code consumer.wakeup()} ends a poll early).
   *
   * @throws RuntimeException an unexpected failure, of the store or of the Kafka clients; the batch
   *     in hand is then not committed
   */
  void consumeUntil(BooleanSupplier closing) {
    while (!closing.getAsBoolean()) {
      try {
        if (positions.isDue() && System.nanoTime() - retryAtNanos >= 0) {
          checkPositions();
        }
        if (store.isActive() && next != null && !next.isGathering(nextLimit)) {
          store.await(); // the next batch is big enough: nothing to poll for until the store ends
        } else if (store.isActive()) {
          // The store's end is acted on at once; what arrives meanwhile joins the next batch.
          store.awaitAtMost(StoreInFlight.GATHER_WHILE_STORING);
          take(consumer.poll(Duration.ZERO));
        } else {
          take(consumer.poll(pollTimeout));
        }
        if (inHand != null) {
          advance();
        }
        flushIfDue();
      } catch (WakeupException e) {
        // close() was called: the loop condition ends it.
      } catch (AuthenticationException | AuthorizationException e) {
        // Credentials, TLS or ACLs: an operator's fix, not the batch's fault. The batch in hand
        // stays as it is, and polling (which reconnects) resumes after a back-off.
        refusals.refusedThenWait(e, inHand == null ? BatchTrace.OFF : inHand.trace());
      } catch (UnreleasedInstanceIdException e) {
        // A crashed member's id still held: this member is fatal; a new consumer joins again.
        refusals.refusedThenWait(e, inHand == null ? BatchTrace.OFF : inHand.trace());
        throw e;
      }
    }
  }

  /**
   * After {@code close()}: a store still running is waited for (at most the close timeout), and a
   * batch it completes is settled, as it would have been had close() come a moment later. Anything
   * that fails here leaves the batch to be read again.
   */
  void completeOnClose() {
    try {
      if (inHand != null && store.isActive()) {
        store.await(closeTimeout);
        if (store.isOf(inHand)) {
          store.takeOutcome();
        }
      }
      if (inHand != null && inHand.isStored()) {
        settle();
      }
    } catch (Exception e) {
      LOG.info("closing with a batch not committed; it will be read again: {}", e.toString());
    }
    try {
      settled.flush(true);
    } catch (RuntimeException e) {
      LOG.info("closing with batches not committed; they will be read again: {}", e.toString());
    }
  }

  /**
   * Partitions go ({@code stillOwned}: revoked, so offsets may still be committed; else lost):
   * commits the batch in hand if it is done, else abandons it (and the one after it) to the next
   * owner; keeps the one after it only if it touches none of {@code partitions}. What is abandoned
   * of partitions this consumer keeps is sought back to, to be read again.
   */
  void handOver(Set<TopicPartition> partitions, boolean stillOwned) {
    Map<TopicPartition, OffsetAndMetadata> readAgain = new HashMap<>();
    Batch batch = inHand;
    if (batch != null
        && (batch.touches(partitions) || (next != null && next.touches(partitions)))) {
      store.endBeforeRebalance();
      if (stillOwned && batch.isStored() && batch.hasNoDeadLettersDue()) {
        try {
          Batch after = next;
          settle();
          if (after != null && after.touches(partitions)) {
            readAgain.putAll(after.firstOffsets());
            abandon();
          }
        } catch (RuntimeException e) {
          LOG.info(
              "could not settle before the rebalance; the next owner reads again: {}",
              e.toString());
          readAgain.putAll(Batch.firstOffsets(inHand, next));
          abandon();
        }
      } else {
        readAgain.putAll(Batch.firstOffsets(inHand, next));
        abandon();
      }
    }
    if (stillOwned) {
      try {
        settled.flush(true);
      } catch (RuntimeException e) {
        LOG.info(
            "could not commit before the rebalance; the next owner reads again: {}", e.toString());
        settled.dropToReadAgain().forEach(readAgain::put); // earlier than anything in hand
      }
    } else {
      settled.forget(partitions);
    }
    // A cooperative rebalance revokes only some partitions: the abandoned records of those this
    // consumer keeps must be read again, not skipped.
    readAgain.keySet().removeAll(partitions);
    readAgain.forEach(this::seekIfAssigned);
  }

  /**
   * Partitions came (the group was joined, so Kafka accepts the consumer): batches start small
   * again, and stay quiet while a retry is pending.
   */
  void assigned(Collection<TopicPartition> partitions) {
    refusals.accepted();
    ramp.restart();
    if (retryPending) {
      consumer.pause(partitions); // keep new partitions quiet until the retry is done
    }
  }

  /**
   * Decodes what a poll returned, as the batch in hand or the next one, or adds it to the next one
   * while that one waits for the store.
   */
  private void take(ConsumerRecords<byte[], byte[]> polled) {
    if (polled.isEmpty()) {
      return;
    }
    if (inHand != null && next != null) {
      if (next.canGrow(nextLimit)) {
        next.append(PolledRecords.upToLimit(consumer, polled, nextLimit - next.size()), service);
      } else {
        PolledRecords.rewind(
            consumer, polled); // not polled for while the next batch is full; never drop records
      }
      return;
    }
    int limit = ramp.nextLimit();
    var taken = PolledRecords.upToLimit(consumer, polled, limit);
    Batch batch = new Batch(taken, System.nanoTime(), tracing.startBatch());
    batch.check(service, storeConnections);
    if (inHand == null) {
      inHand = batch;
      retryAtNanos = batch.polledAtNanos(); // due now
    } else {
      next = batch;
      nextLimit = limit;
    }
  }

  /**
   * Takes the batch in hand as far as it goes: stored (on the store executor), then settled. The
   * next batch's store starts as soon as this one's has ended well, so the database goes on working
   * while this batch's rejects are published and its offsets committed; those two steps still wait
   * for this batch's own rows.
   */
  private void advance() {
    Batch batch = inHand;
    if (positions.isDue()) {
      return; // the database's positions first: nothing is stored or settled before they are read
    }
    try {
      if (store.isOf(batch)) {
        if (!store.isDone()) {
          return;
        }
        store.takeOutcome();
        if (next != null) {
          store.start(next);
        }
      }
      if (System.nanoTime() - retryAtNanos < 0) {
        return; // backing off after a transient failure
      }
      if (!batch.isStored()) {
        store.start(batch);
        return;
      }
      settle();
      if (inHand != null && !store.isActive() && !inHand.isStored()) {
        store.start(inHand);
      }
    } catch (OrderStoreException | DeadLetterPublisher.DeadLetterException | RetriableException e) {
      if (e instanceof OrderStoreException store && !store.isTransient()) {
        batch.trace().failed(store);
        throw store;
      }
      retryLater(e);
    }
  }

  /**
   * Records and commits the settled batches' offsets when they are due: at once when nothing else
   * is in hand, else once the oldest has waited {@link SettledOffsets#INTERVAL}. Not while the
   * database's positions are to be checked, nor while backing off.
   */
  private void flushIfDue() {
    if (settled.isEmpty()
        || (inHand != null && !settled.isDue())
        || positions.isDue()
        || System.nanoTime() - retryAtNanos < 0) {
      return;
    }
    try {
      settled.flush(false);
    } catch (OrderStoreException | RetriableException e) {
      if (e instanceof OrderStoreException failure && !failure.isTransient()) {
        throw failure;
      }
      dropAll().forEach(this::seekIfAssigned); // the database may have lost what was settled
      positions.failed();
      counters.retries.incrementAndGet();
      Duration wait = backoff.next();
      retryAtNanos = System.nanoTime() + wait.toNanos();
      LOG.warn(
          "transient failure recording the ingest's positions; reading again what they cover in"
              + " {} ms: {}",
          wait.toMillis(),
          e.toString());
    }
  }

  private void seekIfAssigned(TopicPartition partition, OffsetAndMetadata offset) {
    if (consumer.assignment().contains(partition)) {
      consumer.seek(partition, offset);
    }
  }

  /**
   * Settles the stored batch in hand: dead-letters what it still owes (acknowledged), hands its
   * offsets to {@link SettledOffsets} (which records them in the database, in a transaction after
   * those that stored its orders, and then commits them), and finishes it, so the next batch
   * becomes the one in hand. A step that fails leaves the batch at that step.
   */
  private void settle() {
    Batch batch = inHand;
    try (TraceLog current = batch.trace().current()) {
      if (!batch.isDeadLettered()) {
        batch.trace().inDeadLetterSpan(batch.deadLetters(), deadLetters::publish);
        batch.markDeadLettered();
        batch.deadLetters().forEach(letter -> letter.log(LOG));
      }
      settled.add(batch);
      finish(batch);
    }
  }

  private void finish(Batch batch) {
    long nanos = System.nanoTime() - batch.polledAtNanos();
    LOG.debug(
        "batch of {} records: {} inserted, {} duplicates, {} dead-lettered, {} ms",
        batch.size(),
        batch.inserted(),
        batch.duplicates(),
        batch.deadLetters().size(),
        nanos / 1_000_000);
    refusals.accepted();
    inHand = next;
    next = null;
    retryAtNanos = System.nanoTime();
    retryPending = false;
    counters.paused.set(0);
    backoff.reset();
    if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
      LOG.info("resumed consuming {} after the failure cleared", topic);
    }
  }

  /**
   * Where the database lost what was recorded in it, or after a failure (a batch stored, wholly or
   * in part, on a server that has since failed over): drops the batches in hand (none half settled)
   * and reads again from its positions, the others' records in hand too. Failures are retried.
   */
  private void checkPositions() {
    Map<TopicPartition, Long> seeks;
    try {
      seeks = positions.check();
    } catch (OrderStoreException | RetriableException e) {
      if (e instanceof OrderStoreException failure && !failure.isTransient()) {
        throw failure;
      }
      if (inHand != null) {
        retryLater(e);
      } else {
        retryAtNanos = System.nanoTime() + backoff.next().toNanos();
        LOG.warn("could not read the database's positions; trying again: {}", e.toString());
      }
      return;
    }
    if (seeks.isEmpty() && !retryPending) {
      return; // after a failure the batches in hand are read again: the database may be another
    }
    Map<TopicPartition, OffsetAndMetadata> readAgain = dropAll();
    readAgain.keySet().removeAll(seeks.keySet()); // where the database's positions say instead
    readAgain.forEach(this::seekIfAssigned);
    seeks.forEach(consumer::seek);
  }

  private void retryLater(RuntimeException cause) {
    positions.failed();
    refusals.reportIfRefusal(cause); // the dead-letter producer's credentials or ACLs
    counters.retries.incrementAndGet();
    Duration wait = backoff.next();
    retryAtNanos = System.nanoTime() + wait.toNanos();
    inHand.trace().retrying(backoff.failures() + 1, wait, cause);
    // Paused partitions return nothing, but poll() goes on, so the consumer keeps its place in
    // the group while the database or the broker recovers.
    retryPending = true;
    counters.paused.set(1);
    consumer.pause(consumer.assignment());
    try (TraceLog current = inHand.trace().current()) {
      LOG.warn(
          "transient failure, retrying the batch of {} records in {} ms: {}",
          inHand.size(),
          wait.toMillis(),
          cause.toString());
    }
  }

  /**
   * Drops what is settled but not recorded and the batches in hand (the database may not hold
   * them); returns where to read them again.
   */
  private Map<TopicPartition, OffsetAndMetadata> dropAll() {
    Map<TopicPartition, OffsetAndMetadata> readAgain = settled.dropToReadAgain();
    if (inHand != null) {
      Batch.firstOffsets(inHand, next).forEach(readAgain::putIfAbsent);
      abandon();
    }
    return readAgain;
  }

  /**
   * When the run ends: ends the spans of the batches still held, abandoned (their records are read
   * again by the next run).
   */
  void endTraces() {
    Batch.abandonTraces(inHand, next); // spans only: a store in flight is cancelled by the run
    settled.dropToReadAgain();
  }

  /** Drops both batches in hand; their records are read again from the last commit. */
  private void abandon() {
    Batch.abandonTraces(inHand, next);
    store.abandon();
    inHand = null;
    next = null;
    retryPending = false;
    counters.paused.set(0);
    backoff.reset();
    consumer.resume(consumer.paused());
  }
}
