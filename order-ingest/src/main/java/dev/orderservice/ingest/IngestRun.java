package dev.orderservice.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an {@link OrderIngest}, on the thread that called its {@code run()}: {@link #consume}
 * opens the Kafka clients and, unless the caller gave a store executor, the store threads,
 * registers the meters, and consumes through an {@link IngestPipeline} until the ingest closes;
 * {@link #close()} releases all of that again.
 *
 * <p>Thread safety: {@link #consume} and {@link #close} are called by the run's thread; {@link
 * #wakeup} and {@link #isConsuming} by any thread.
 */
final class IngestRun implements AutoCloseable {

  // The component's logger, not this class's: operators set one logger's level for the ingest.
  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  private static final AtomicInteger STORE_THREADS = new AtomicInteger();

  private final IngestSettings settings;
  private final IngestCounters counters;
  private final BooleanSupplier closing;
  private final KafkaRefusals refusals;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean consuming;
  private KafkaProducer<byte[], byte[]> producer;
  private ExecutorService ownStoreThreads;
  private StoreInFlight store;
  private KafkaClientMetrics consumerMeters;
  private KafkaClientMetrics producerMeters;

  /**
   * @param closing whether the ingest is closing; checked once the consumer exists, and then after
   *     each poll
   */
  IngestRun(IngestSettings settings, IngestCounters counters, BooleanSupplier closing) {
    this.settings = settings;
    this.counters = counters;
    this.closing = closing;
    this.refusals =
        new KafkaRefusals(settings.listener(), settings.initialBackoff(), settings.maxBackoff());
  }

  /**
   * Runs until the ingest closes, each run with a consumer of its own: a new one joins again when
   * the group still held this static member's id for a crashed predecessor (consumer protocol),
   * which leaves a consumer unusable.
   *
   * @param started told of each run as it starts
   */
  static void untilClosed(
      IngestSettings settings,
      IngestCounters counters,
      BooleanSupplier closing,
      java.util.function.Consumer<IngestRun> started) {
    Backoff rejoin = new Backoff(settings.initialBackoff(), settings.maxBackoff());
    while (true) {
      try (IngestRun run = new IngestRun(settings, counters, closing)) {
        started.accept(run);
        run.consume();
        return;
      } catch (UnreleasedInstanceIdException e) {
        if (closing.getAsBoolean()) {
          return;
        }
        Duration wait = rejoin.next();
        if (rejoin.failures() == 1) {
          LOG.info("joining the group again with a new consumer, until the id is released");
        } else {
          LOG.debug("joining the group again in {} ms", wait.toMillis());
        }
        pause(wait, closing);
      }
    }
  }

  /** Waits {@code wait}, in short steps so that a close is noticed within 100 ms. */
  private static void pause(Duration wait, BooleanSupplier closing) {
    long end = System.nanoTime() + wait.toNanos();
    try {
      while (!closing.getAsBoolean() && System.nanoTime() < end) {
        // A back-off between joins, in steps of at most 100 ms so that a close is noticed.
        Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Consumes until the ingest closes, then completes the batch in hand if it can; returns at once
   * if the ingest closed before the consumer existed.
   *
   * @throws RuntimeException an unexpected failure; the batch in hand is then not committed
   */
  void consume() {
    settings
        .deadLetterRetention()
        .ifPresent(
            retention ->
                DeadLetterRetention.ensure(
                    settings.clients().producerConfig(), settings.deadLetterTopic(), retention));
    KafkaConsumer<byte[], byte[]> c = settings.clients().openConsumer();
    consumer = c;
    producer = settings.clients().openDeadLetterProducer();
    if (closing.getAsBoolean()) {
      return; // closed before we had a consumer to wake up
    }
    settings.meterRegistry().ifPresent(this::bindMeters);
    store = new StoreInFlight(settings.service(), storeExecutor(), settings.afterStore());
    DeadLetterPublisher deadLetters =
        new DeadLetterPublisher(producer, settings.deadLetterTopic(), settings.ackTimeout());
    PositionKeeper positions =
        new PositionKeeper(
            settings.positions().orElse(null),
            c,
            settings.clients().groupId(),
            settings.topic(),
            counters,
            settings.positionCheckInterval());
    IngestPipeline pipeline =
        new IngestPipeline(settings, c, deadLetters, store, positions, counters, refusals);
    c.subscribe(
        List.of(settings.topic()), new PartitionHandOver(pipeline, positions, counters, closing));
    consuming = true;
    LOG.info(
        "consuming {} as group {} ({}); rejected records go to {}",
        settings.topic(),
        settings.clients().groupId(),
        settings.clients().membership(),
        settings.deadLetterTopic());
    try {
      pipeline.consumeUntil(closing);
      pipeline.completeOnClose();
    } finally {
      pipeline.endTraces();
    }
    LOG.info("stopped consuming {}", settings.topic());
  }

  /**
   * Ends a poll or commit in progress early (with a {@code WakeupException} on the run thread), and
   * a wait after Kafka refused the clients.
   */
  void wakeup() {
    refusals.wakeup();
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** Whether {@link #consume} is consuming: subscribed and not yet stopped. */
  boolean isConsuming() {
    return consuming;
  }

  /**
   * Removes the meters, cancels a store still in flight, stops the ingest's own store threads and
   * closes the Kafka clients, each within half the close timeout; failures are logged, not thrown.
   */
  @Override
  public void close() {
    consuming = false;
    unbindMeters();
    if (store != null) {
      store.cancel();
    }
    if (ownStoreThreads != null) {
      ownStoreThreads.shutdownNow();
    }
    closeQuietly();
  }

  /** The caller's executor, or store threads of the ingest's own. */
  private Executor storeExecutor() {
    if (settings.storeExecutor().isPresent()) {
      return settings.storeExecutor().get();
    }
    // One thread a group of a batch: the store's own, and one for each of the others.
    ownStoreThreads =
        Executors.newFixedThreadPool(settings.storeConnections(), IngestRun::storeThread);
    return ownStoreThreads;
  }

  private static Thread storeThread(Runnable task) {
    Thread thread = new Thread(task, "order-ingest-store-" + STORE_THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }

  private void bindMeters(MeterRegistry registry) {
    Tags tags = Tags.of("topic", settings.topic(), "group", settings.clients().groupId());
    counters.bindTo(registry, tags);
    consumerMeters = new KafkaClientMetrics(consumer, Tags.of("client", "ingest-consumer"));
    consumerMeters.bindTo(registry);
    producerMeters = new KafkaClientMetrics(producer, Tags.of("client", "ingest-dead-letters"));
    producerMeters.bindTo(registry);
  }

  private void unbindMeters() {
    counters.unbind();
    for (KafkaClientMetrics meters : new KafkaClientMetrics[] {consumerMeters, producerMeters}) {
      if (meters != null) {
        meters.close();
      }
    }
  }

  private void closeQuietly() {
    Duration each = settings.closeTimeout().dividedBy(2);
    try {
      if (consumer != null) {
        // Leaves the group even as a static member: the others, or a replacement under another
        // id, take its partitions over at once instead of after the session timeout. A crash
        // does not get here, so a restart with the same id still finds its partitions waiting.
        consumer.close(
            CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(each));
      }
    } catch (RuntimeException e) {
      LOG.warn("closing the consumer failed: {}", e.toString());
    }
    try {
      if (producer != null) {
        producer.close(each);
      }
    } catch (RuntimeException e) {
      LOG.warn("closing the dead-letter producer failed: {}", e.toString());
    }
  }
}
