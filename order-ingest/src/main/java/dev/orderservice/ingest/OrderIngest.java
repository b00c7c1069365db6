package dev.orderservice.ingest;

import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStoreException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns a Kafka topic of order documents into stored, cached orders, at least once and without
 * storing any order twice. See the {@linkplain dev.orderservice.ingest package documentation} for
 * the lifecycle and the guarantees.
 *
 * <p>Build one with {@link #builder()}, run it on a thread of yours ({@code
 * executor.submit(ingest)}), stop it with {@link #close()}. {@link #run()} blocks until then. An
 * instance runs once.
 *
 * <p>Thread safety: {@link #run()} is called by one thread; {@link #close()}, {@link #metrics()}
 * and {@link #isRunning()} may be called from any thread.
 */
public final class OrderIngest implements Runnable, AutoCloseable {

  /** The topic read when none is set. */
  public static final String DEFAULT_TOPIC = "orders";

  /** What the dead-letter topic's name adds to the topic's when none is set. */
  public static final String DEAD_LETTER_SUFFIX = ".dlq";

  /**
   * The most records per batch when none is set. A batch is what one poll returns, so it is this
   * large only while the consumer is behind; then fewer, larger transactions store faster
   * (measured: 500 records a batch stored at 0.8x the rate of one COPY, 5,000 at 0.95x).
   */
  public static final int DEFAULT_MAX_BATCH_SIZE = 5_000;

  /**
   * The most records of the first batch after partitions are assigned; each batch after it may
   * hold twice as many as the one before, up to the most a batch holds. A (re)started instance
   * whose group is far behind thus commits its first batch within a fraction of a second, even on
   * a cold JVM (measured: 5,000 records took 2.6 s there, so a restart consumed again only after
   * ~4 s), and reaches full batches four batches later.
   */
  static final int FIRST_BATCH_SIZE = 500;

  /**
   * How many transactions store a batch at once when not set: two keep the database busy while
   * either of them waits for the client (measured: 2 stored 200,000 orders faster than 1).
   */
  public static final int DEFAULT_STORE_CONNECTIONS = 2;

  /** The consumer group when none is set. */
  public static final String DEFAULT_GROUP_ID = "order-service";

  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  /** The poll timeout while a store runs: short, so its end is acted on soon. */
  private static final Duration POLL_WHILE_STORING = Duration.ofMillis(5);

  private static final AtomicInteger STORE_THREADS = new AtomicInteger();

  private final Map<String, Object> consumerConfig;
  private final Map<String, Object> producerConfig;
  private final String topic;
  private final String deadLetterTopic;
  private final OrderService service;
  private final Duration pollTimeout;
  private final Duration closeTimeout;
  private final Duration ackTimeout;
  private final Backoff backoff;
  private final int storeConnections;
  private final int maxBatchSize;
  private final MeterRegistry meterRegistry;
  private final Runnable afterStore;

  private final IngestCounters counters = new IngestCounters();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile Thread runner;
  private volatile boolean running;

  // Owned by the ingest thread. At most two batches are in hand: the oldest, whose store runs on
  // the store thread while the ingest thread polls and decodes the one after it.
  private Batch inHand;
  private Batch next;
  // The store running on the store thread, and its batch: the one in hand, or (once the one in
  // hand is stored) the next. Its outcome, and what the store wrote into the batch, are read only
  // after takeStoreOutcome().
  private Future<?> storing;
  private Batch storingBatch;
  private long retryAtNanos;
  private boolean retryPending;
  private int batchLimit;
  private ExecutorService storeThread;
  private KafkaClientMetrics consumerMeters;
  private KafkaClientMetrics producerMeters;
  private ExecutorService laneThreads;

  private OrderIngest(Builder b) {
    this.topic = b.topic;
    this.deadLetterTopic =
        b.deadLetterTopic != null ? b.deadLetterTopic : defaultDeadLetterTopic(b.topic);
    this.service = b.service;
    this.pollTimeout = b.pollTimeout;
    this.closeTimeout = b.closeTimeout;
    this.ackTimeout = b.ackTimeout;
    this.backoff = new Backoff(b.initialBackoff, b.maxBackoff);
    this.storeConnections = b.storeConnections;
    this.maxBatchSize = b.maxBatchSize;
    this.batchLimit = firstBatchLimit();
    this.meterRegistry = b.meterRegistry;
    this.afterStore = b.afterStore;
    this.consumerConfig = consumerConfig(b);
    this.producerConfig = producerConfig(b);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The dead-letter topic of {@code topic} when none is set: {@code topic + ".dlq"}, so that each
   * topic's rejects stay apart.
   */
  public static String defaultDeadLetterTopic(String topic) {
    return topic + DEAD_LETTER_SUFFIX;
  }

  /** The topic rejected records are published to. */
  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  /**
   * Consumes until {@link #close()}: polls, stores, dead-letters, commits, batch after batch, and
   * retries transient failures with backoff. Returns normally after {@code close()}; an unexpected
   * error ends it with that error and without committing the batch in hand.
   *
   * @throws IllegalStateException if this instance has run before
   */
  @Override
  public void run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("an OrderIngest runs once; build a new one");
    }
    runner = Thread.currentThread();
    KafkaConsumer<byte[], byte[]> c = null;
    KafkaProducer<byte[], byte[]> p = null;
    try {
      c =
          new KafkaConsumer<>(
              consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      consumer = c;
      p = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
      if (closing.get()) {
        return; // closed before we had a consumer to wake up
      }
      bindMeters(c, p);
      c.subscribe(List.of(topic), new Rebalance(c));
      storeThread = Executors.newSingleThreadExecutor(OrderIngest::storeThread);
      laneThreads =
          Executors.newFixedThreadPool(Math.max(1, storeConnections - 1), OrderIngest::storeThread);
      running = true;
      Object instance = consumerConfig.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
      LOG.info(
          "consuming {} as group {} ({}); rejected records go to {}",
          topic,
          consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG),
          instance == null
              ? "dynamic member"
              : "static member "
                  + instance
                  + ", session timeout "
                  + consumerConfig.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)
                  + " ms",
          deadLetterTopic);
      DeadLetterPublisher deadLetters = new DeadLetterPublisher(p, deadLetterTopic, ackTimeout);
      loop(c, deadLetters);
      completeOnClose(c, deadLetters);
      LOG.info("stopped consuming {}", topic);
    } finally {
      running = false;
      unbindMeters();
      if (storeThread != null) {
        storeThread.shutdownNow();
        laneThreads.shutdownNow();
      }
      closeQuietly(c, p);
      finished.countDown();
    }
  }

  /**
   * Stops {@link #run()}: wakes the consumer, lets the batch in hand finish its current step (a
   * batch not yet committed is abandoned, never committed past, and will be read again), and closes
   * the Kafka clients. Waits at most the {@linkplain Builder#closeTimeout close timeout}.
   * Idempotent; safe before, during or after {@code run()}.
   */
  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      KafkaConsumer<byte[], byte[]> c = consumer;
      if (c != null) {
        c.wakeup();
      }
    }
    if (!started.get() || Thread.currentThread() == runner) {
      return;
    }
    try {
      if (!finished.await(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("still finishing a batch after {}; not waiting longer", closeTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@link #run()} is consuming (subscribed and not yet stopped). */
  public boolean isRunning() {
    return running;
  }

  /** The counters so far. */
  public IngestMetrics metrics() {
    return counters.snapshot();
  }

  private void bindMeters(KafkaConsumer<byte[], byte[]> c, KafkaProducer<byte[], byte[]> p) {
    if (meterRegistry == null) {
      return;
    }
    Tags tags =
        Tags.of(
            "topic", topic, "group", (String) consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG));
    counters.bindTo(meterRegistry, tags);
    consumerMeters = new KafkaClientMetrics(c, Tags.of("client", "ingest-consumer"));
    consumerMeters.bindTo(meterRegistry);
    producerMeters = new KafkaClientMetrics(p, Tags.of("client", "ingest-dead-letters"));
    producerMeters.bindTo(meterRegistry);
  }

  private void unbindMeters() {
    counters.unbind();
    for (KafkaClientMetrics meters : new KafkaClientMetrics[] {consumerMeters, producerMeters}) {
      if (meters != null) {
        meters.close();
      }
    }
  }

  private void loop(KafkaConsumer<byte[], byte[]> c, DeadLetterPublisher deadLetters) {
    while (!closing.get()) {
      try {
        if (storing != null && next != null) {
          awaitStore(); // two batches in hand: nothing to poll for until the older one is stored
        } else {
          // While a store runs, poll briefly, so that its end is noticed soon.
          take(c, c.poll(storing != null ? POLL_WHILE_STORING : pollTimeout));
        }
        if (inHand != null) {
          advance(c, deadLetters);
        }
      } catch (WakeupException e) {
        // close() was called: the loop condition ends it.
      }
    }
  }

  /** Decodes what a poll returned, as the batch in hand or the next one. */
  private void take(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> polled) {
    if (polled.isEmpty()) {
      return;
    }
    if (inHand != null && next != null) {
      rewind(
          c, polled); // cannot happen: polling stops with two batches in hand; never drop records
      return;
    }
    Batch batch = new Batch(upToLimit(c, polled), System.nanoTime());
    batch.check(service, storeConnections);
    if (inHand == null) {
      inHand = batch;
      retryAtNanos = batch.polledAtNanos(); // due now
    } else {
      next = batch;
    }
  }

  /**
   * The oldest records of {@code polled}, at most the batch limit of them, about as many of each
   * partition; the consumer is sought back to the first record it leaves of each partition, so the
   * next poll returns those again. Each call doubles the limit, up to the most a batch holds; an
   * assignment sets it back to {@link #FIRST_BATCH_SIZE}.
   */
  private List<ConsumerRecord<byte[], byte[]>> upToLimit(
      KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> polled) {
    int limit = batchLimit;
    batchLimit = (int) Math.min(maxBatchSize, 2L * batchLimit);
    List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>(Math.min(limit, polled.count()));
    if (polled.count() <= limit) {
      polled.forEach(taken::add);
      return taken;
    }
    int share = Math.max(1, limit / polled.partitions().size());
    for (TopicPartition partition : polled.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> records = polled.records(partition);
      int count = Math.min(records.size(), Math.min(share, limit - taken.size()));
      taken.addAll(records.subList(0, count));
      if (count < records.size()) {
        c.seek(partition, records.get(count).offset());
      }
    }
    return taken;
  }

  private int firstBatchLimit() {
    return Math.min(FIRST_BATCH_SIZE, maxBatchSize);
  }

  /**
   * Takes the batch in hand as far as it goes: stored (on the store thread), dead-lettered,
   * committed. The next batch's store starts as soon as this one's has ended well, so the database
   * goes on working while this batch's rejects are published and its offsets committed; those two
   * steps still wait for this batch's own rows.
   */
  private void advance(KafkaConsumer<byte[], byte[]> c, DeadLetterPublisher deadLetters) {
    Batch batch = inHand;
    try {
      if (storingBatch == batch) {
        if (!storing.isDone()) {
          return;
        }
        takeStoreOutcome();
        if (next != null) {
          startStore(next);
        }
      }
      if (System.nanoTime() - retryAtNanos < 0) {
        return; // backing off after a transient failure
      }
      if (!batch.isStored()) {
        startStore(batch);
        return;
      }
      if (!batch.isDeadLettered()) {
        deadLetters.publish(batch.deadLetters());
        batch.markDeadLettered();
        batch.deadLetters().forEach(this::logRejected);
      }
      commit(c, batch.nextOffsets());
      finish(c, batch);
      if (inHand != null && storingBatch == null && !inHand.isStored()) {
        startStore(inHand);
      }
    } catch (OrderStoreException | DeadLetterPublisher.DeadLetterException | RetriableException e) {
      if (e instanceof OrderStoreException store && !store.isTransient()) {
        throw store;
      }
      retryLater(c, e);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The group gave our partitions to another member, which reads them again from the last
      // commit; what we stored is absorbed there as DUPLICATE.
      LOG.info(
          "partitions moved during the batch; leaving it to their new owner: {}", e.getMessage());
      abandon(c);
    }
  }

  /** Stores the batch on the store thread: the database and the cache. */
  private void startStore(Batch batch) {
    storingBatch = batch;
    storing =
        storeThread.submit(
            () -> {
              batch.store(service, laneThreads);
              afterStore.run();
              return null;
            });
  }

  /** Waits for the store in flight to end; its outcome is left for {@link #takeStoreOutcome}. */
  private void awaitStore() {
    try {
      storing.get();
    } catch (ExecutionException e) {
      // taken by advance()
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  /**
   * Ends the store in flight (it has ended or is waited for) and throws what it threw: a transient
   * {@link OrderStoreException} to retry, or an unexpected failure that ends the ingest.
   */
  private void takeStoreOutcome() {
    awaitStore();
    Future<?> done = storing;
    storing = null;
    storingBatch = null;
    try {
      done.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("storing a batch failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  /**
   * After {@code close()}: a store still running is waited for, and a batch it completes is
   * dead-lettered and committed, as it would have been had close() come a moment later. Anything
   * that fails here leaves the batch to be read again.
   */
  private void completeOnClose(KafkaConsumer<byte[], byte[]> c, DeadLetterPublisher deadLetters) {
    if (inHand == null) {
      return;
    }
    try {
      if (storing != null) {
        storing.get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (storingBatch == inHand) {
          takeStoreOutcome();
        }
      }
      if (inHand.isStored()) {
        if (!inHand.isDeadLettered()) {
          deadLetters.publish(inHand.deadLetters());
          inHand.markDeadLettered();
          inHand.deadLetters().forEach(this::logRejected);
        }
        commit(c, inHand.nextOffsets());
        finish(c, inHand);
      }
    } catch (Exception e) {
      LOG.info("closing with a batch not committed; it will be read again: {}", e.toString());
    }
  }

  private void commit(
      KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      c.commitSync(offsets);
    } catch (WakeupException e) {
      // close() arrived mid-commit: the batch is done, so its commit is still owed.
      c.commitSync(offsets);
    }
  }

  private void finish(KafkaConsumer<byte[], byte[]> c, Batch batch) {
    long nanos = System.nanoTime() - batch.polledAtNanos();
    counters.batchDone(batch.size(), nanos);
    counters.ordersInserted.addAndGet(batch.inserted());
    counters.duplicates.addAndGet(batch.duplicates());
    counters.conflicts.addAndGet(batch.conflicts());
    for (DeadLetter letter : batch.deadLetters()) {
      counters.rejected.incrementAndGet(letter.stage().ordinal());
    }
    counters.deadLettered.addAndGet(batch.deadLetters().size());
    LOG.debug(
        "batch of {} records: {} inserted, {} duplicates, {} dead-lettered, {} ms",
        batch.size(),
        batch.inserted(),
        batch.duplicates(),
        batch.deadLetters().size(),
        nanos / 1_000_000);
    inHand = next;
    next = null;
    retryAtNanos = System.nanoTime();
    retryPending = false;
    counters.paused.set(0);
    backoff.reset();
    if (!c.paused().isEmpty()) {
      c.resume(c.paused());
      LOG.info("resumed consuming {} after the failure cleared", topic);
    }
  }

  private void retryLater(KafkaConsumer<byte[], byte[]> c, RuntimeException cause) {
    counters.retries.incrementAndGet();
    Duration wait = backoff.next();
    retryAtNanos = System.nanoTime() + wait.toNanos();
    // Paused partitions return nothing, but poll() goes on, so the consumer keeps its place in
    // the group while the database or the broker recovers.
    retryPending = true;
    counters.paused.set(1);
    c.pause(c.assignment());
    LOG.warn(
        "transient failure, retrying the batch of {} records in {} ms: {}",
        inHand.size(),
        wait.toMillis(),
        cause.toString());
  }

  /** Drops both batches in hand; their records are read again from the last commit. */
  private void abandon(KafkaConsumer<byte[], byte[]> c) {
    if (storing != null) {
      awaitStore(); // a store in flight may still be writing: let it end first
      storing = null;
      storingBatch = null;
    }
    inHand = null;
    next = null;
    retryPending = false;
    counters.paused.set(0);
    backoff.reset();
    c.resume(c.paused());
  }

  /** Seeks back to records a poll returned while a batch was in hand, to read them later. */
  private static void rewind(
      KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> polled) {
    for (TopicPartition partition : polled.partitions()) {
      c.seek(partition, polled.records(partition).get(0).offset());
    }
  }

  private void logRejected(DeadLetter letter) {
    ConsumerRecord<byte[], byte[]> source = letter.source();
    try (MDC.MDCCloseable topicKey = MDC.putCloseable("topic", source.topic());
        MDC.MDCCloseable partitionKey =
            MDC.putCloseable("partition", Integer.toString(source.partition()));
        MDC.MDCCloseable offsetKey = MDC.putCloseable("offset", Long.toString(source.offset()))) {
      LOG.info("rejected {} at {}: {}", letter.where(), letter.stage(), letter.reason());
    }
  }

  private void closeQuietly(KafkaConsumer<byte[], byte[]> c, KafkaProducer<byte[], byte[]> p) {
    Duration each = closeTimeout.dividedBy(2);
    try {
      if (c != null) {
        c.close(CloseOptions.timeout(each));
      }
    } catch (RuntimeException e) {
      LOG.warn("closing the consumer failed: {}", e.toString());
    }
    try {
      if (p != null) {
        p.close(each);
      }
    } catch (RuntimeException e) {
      LOG.warn("closing the dead-letter producer failed: {}", e.toString());
    }
  }

  /** Runs on the ingest thread, inside poll(). */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> c;

    Rebalance(KafkaConsumer<byte[], byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      if (!closing.get()) {
        counters.rebalances.incrementAndGet(); // a clean close revokes too; that is no rebalance
      }
      LOG.info("partitions revoked: {}", partitions);
      handOver(Set.copyOf(partitions), true);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      counters.rebalances.incrementAndGet();
      LOG.warn("partitions lost: {}", partitions);
      handOver(Set.copyOf(partitions), false);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.info("partitions assigned: {}", partitions);
      batchLimit = firstBatchLimit();
      if (retryPending) {
        c.pause(partitions); // keep new partitions quiet until the retry is done
      }
    }

    /**
     * Commits the batch in hand if it is done, else abandons it (and the one after it) to the next
     * owner; keeps the one after it only if it touches none of {@code partitions}.
     */
    private void handOver(Set<TopicPartition> partitions, boolean stillOwned) {
      Batch batch = inHand;
      if (batch == null
          || !(batch.touches(partitions) || (next != null && next.touches(partitions)))) {
        return;
      }
      endStoreInFlight();
      Map<TopicPartition, OffsetAndMetadata> readAgain = new HashMap<>();
      if (stillOwned && batch.isStored() && batch.hasNoDeadLettersDue()) {
        try {
          commit(c, batch.nextOffsets());
          Batch after = next;
          finish(c, batch);
          if (after != null && after.touches(partitions)) {
            readAgain.putAll(after.firstOffsets());
            abandon(c);
          }
        } catch (RuntimeException e) {
          LOG.info(
              "could not commit before the rebalance; the next owner reads again: {}",
              e.toString());
          readAgain.putAll(firstOffsetsInHand());
          abandon(c);
        }
      } else {
        readAgain.putAll(firstOffsetsInHand());
        abandon(c);
      }
      // A cooperative rebalance revokes only some partitions: the abandoned records of those this
      // consumer keeps must be read again, not skipped.
      readAgain.forEach(
          (partition, offset) -> {
            if (!partitions.contains(partition) && c.assignment().contains(partition)) {
              c.seek(partition, offset);
            }
          });
    }

    /** Lets a store in flight end; a batch it failed to store stays unstored, to be abandoned. */
    private void endStoreInFlight() {
      if (storing == null) {
        return;
      }
      try {
        takeStoreOutcome();
      } catch (OrderStoreException e) {
        LOG.info("the batch in hand was not stored before the rebalance: {}", e.toString());
      }
    }

    /** The first offset of each partition among the batches in hand. */
    private Map<TopicPartition, OffsetAndMetadata> firstOffsetsInHand() {
      Map<TopicPartition, OffsetAndMetadata> first = new HashMap<>(inHand.firstOffsets());
      if (next != null) {
        next.firstOffsets().forEach((partition, offset) -> first.putIfAbsent(partition, offset));
      }
      return first;
    }
  }

  private static Thread storeThread(Runnable task) {
    Thread thread = new Thread(task, "order-ingest-store-" + STORE_THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }

  private static Map<String, Object> consumerConfig(Builder b) {
    Map<String, Object> config = new HashMap<>(b.consumerProperties);
    config.putIfAbsent(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, b.groupId);
    if (b.groupInstanceId != null) {
      config.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, b.groupInstanceId);
    }
    if (b.sessionTimeout != null) {
      config.putIfAbsent(
          ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) b.sessionTimeout.toMillis());
    }
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "order-ingest");
    // A new group starts at the beginning: orders produced before the first start are not lost.
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Offsets are committed by hand, after the batch is stored and dead-lettered: never before.
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, b.maxBatchSize);
    // Kafka's 1 MiB per partition and fetch is ~700 orders: room for full batches of the default
    // size when the consumer is behind (fetch.max.bytes still caps a fetch at 50 MiB).
    config.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    require(
        config.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) != null,
        "bootstrap servers are required: bootstrapServers(...) or consumer property"
            + " bootstrap.servers");
    return Map.copyOf(config);
  }

  private static Map<String, Object> producerConfig(Builder b) {
    Map<String, Object> config = new HashMap<>(b.producerProperties);
    Object servers =
        b.producerProperties.getOrDefault(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            b.consumerProperties.getOrDefault(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers));
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "order-ingest-dlq");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    // Fail a send within the ack timeout instead of Kafka's two minutes, so a broker outage turns
    // into a retry of the batch, not a stuck consumer.
    int ackMillis = (int) Math.min(Integer.MAX_VALUE, b.ackTimeout.toMillis());
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, ackMillis / 3));
    // The producer refuses a delivery timeout below linger.ms + request.timeout.ms, which a
    // sub-second ack timeout would otherwise give.
    long lingerAndRequest =
        millis(config.get(ProducerConfig.LINGER_MS_CONFIG))
            + millis(config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    config.putIfAbsent(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(ackMillis, lingerAndRequest));
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ackMillis);
    return Map.copyOf(config);
  }

  private static long millis(Object setting) {
    return Long.parseLong(String.valueOf(setting).trim());
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Settings of an {@link OrderIngest}. Only {@link #service} and the bootstrap servers are
   * required. Not thread safe.
   */
  public static final class Builder {
    private String bootstrapServers;
    private final Map<String, Object> consumerProperties = new HashMap<>();
    private final Map<String, Object> producerProperties = new HashMap<>();
    private String topic = DEFAULT_TOPIC;
    private String deadLetterTopic;
    private String groupInstanceId;
    private Duration sessionTimeout;
    private MeterRegistry meterRegistry;
    private String groupId = DEFAULT_GROUP_ID;
    private OrderService service;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private int storeConnections = DEFAULT_STORE_CONNECTIONS;
    private Duration pollTimeout = Duration.ofMillis(500);
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Duration ackTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Runnable afterStore = () -> {};

    private Builder() {}

    /** {@code host:port[,host:port...]} of the Kafka cluster. */
    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = requireText(servers, "bootstrapServers");
      return this;
    }

    /**
     * Extra Kafka consumer settings (security, timeouts). {@code enable.auto.commit} and {@code
     * max.poll.records} are always set by the ingest.
     */
    public Builder consumerProperties(Map<String, ?> properties) {
      consumerProperties.putAll(Objects.requireNonNull(properties, "properties"));
      return this;
    }

    /** Extra settings of the dead-letter producer; {@code acks=all} and idempotence are forced. */
    public Builder producerProperties(Map<String, ?> properties) {
      producerProperties.putAll(Objects.requireNonNull(properties, "properties"));
      return this;
    }

    /** The topic of order documents. Default {@value OrderIngest#DEFAULT_TOPIC}. */
    public Builder topic(String topic) {
      this.topic = requireText(topic, "topic");
      return this;
    }

    /**
     * Where rejected records go. Default: the topic's name + {@value
     * OrderIngest#DEAD_LETTER_SUFFIX}.
     */
    public Builder deadLetterTopic(String topic) {
      this.deadLetterTopic = requireText(topic, "deadLetterTopic");
      return this;
    }

    /**
     * Makes this consumer a static member of its group ({@code group.instance.id}): restarted with
     * the same id within the session timeout, it gets its partitions back at once, without a
     * rebalance, instead of waiting for the group to notice that the previous process is gone. The
     * id must be unique in the group (two live members with one id fence each other) and the same
     * across restarts of one instance. A static member that stops does not leave the group: its
     * partitions move to the others only when its session times out. Default: none, a dynamic
     * member.
     */
    public Builder groupInstanceId(String id) {
      this.groupInstanceId = requireText(id, "groupInstanceId");
      return this;
    }

    /**
     * How long the group waits for a member that stopped heartbeating before it gives its
     * partitions to the others ({@code session.timeout.ms}; the broker allows 6 s to 30 min by
     * default). Default: Kafka's, 45 s.
     */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = positive(timeout, "sessionTimeout");
      require(
          timeout.toMillis() <= Integer.MAX_VALUE,
          "sessionTimeout must be at most " + Integer.MAX_VALUE + " ms");
      return this;
    }

    /**
     * Where the ingest's meters go: its own counters, timers and gauges ({@code order.ingest.*},
     * tagged with the topic and group) and the Kafka consumer's and dead-letter producer's own
     * metrics ({@code kafka.consumer.*}, {@code kafka.producer.*}: lag, fetch rate, request
     * latency), registered while {@link OrderIngest#run()} runs and removed when it returns.
     * Default: none, nothing is registered anywhere.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The consumer group. Default {@value OrderIngest#DEFAULT_GROUP_ID}. */
    public Builder groupId(String groupId) {
      this.groupId = requireText(groupId, "groupId");
      return this;
    }

    /**
     * Where orders go, and how record values are read: through the service's codec ({@code
     * OrderService.check}), the same decode path as every other way in. Required.
     */
    public Builder service(OrderService service) {
      this.service = Objects.requireNonNull(service, "service");
      return this;
    }

    /**
     * The most records per batch (one poll, one transaction). Default {@value
     * OrderIngest#DEFAULT_MAX_BATCH_SIZE}.
     */
    public Builder maxBatchSize(int maxBatchSize) {
      require(maxBatchSize >= 1, "maxBatchSize must be >= 1, was " + maxBatchSize);
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /**
     * How many transactions store a batch at once, on as many database connections: the batch's
     * orders are split between them by a hash of their uid (so the first of several with one uid
     * still wins). Default {@value OrderIngest#DEFAULT_STORE_CONNECTIONS}; 1 stores each batch in
     * one transaction.
     */
    public Builder storeConnections(int connections) {
      require(
          connections >= 1 && connections <= 64,
          "storeConnections must be 1..64, was " + connections);
      this.storeConnections = connections;
      return this;
    }

    /** How long one poll waits for records. Default 500 ms. */
    public Builder pollTimeout(Duration timeout) {
      this.pollTimeout = positive(timeout, "pollTimeout");
      return this;
    }

    /**
     * The wait after the first transient failure, doubled after each further one up to {@code max}
     * (with jitter). Default 200 ms up to 10 s.
     */
    public Builder backoff(Duration initial, Duration max) {
      positive(initial, "initial backoff");
      positive(max, "max backoff");
      require(initial.compareTo(max) <= 0, "initial backoff must not exceed max backoff");
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How long dead-letter publishing may wait for the broker's acks. Default 30 s. */
    public Builder deadLetterAckTimeout(Duration timeout) {
      this.ackTimeout = positive(timeout, "deadLetterAckTimeout");
      return this;
    }

    /** How long {@link OrderIngest#close()} waits for the loop to stop. Default 30 s. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    /** Test hook: runs after a batch is stored and before anything else happens to it. */
    Builder afterStore(Runnable hook) {
      this.afterStore = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /**
     * @throws IllegalArgumentException if the service or the bootstrap servers are missing
     */
    public OrderIngest build() {
      require(service != null, "service is required");
      require(
          !topic.equals(deadLetterTopic),
          "deadLetterTopic must differ from topic, or rejected records would be read again");
      return new OrderIngest(this);
    }

    private static String requireText(String value, String name) {
      require(value != null && !value.isBlank(), name + " must not be blank");
      return value;
    }

    private static Duration positive(Duration value, String name) {
      require(value != null && !value.isNegative() && !value.isZero(), name + " must be > 0");
      return value;
    }
  }
}
