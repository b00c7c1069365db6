package dev.orderservice.ingest;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest's side of Kafka refusing it: tells the {@link IngestListener} of each refusal and of
 * the recovery, logs the change (a warning when the refusals start, a line when they end; repeats
 * at debug), and waits a back-off between refused attempts, which {@link #wakeup} ends early.
 *
 * <p>Used by the ingest thread; only {@link #wakeup} is called from others.
 */
final class KafkaRefusals {

  // The component's logger, not this class's: operators set one logger's level for the ingest.
  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  private final IngestListener listener;
  private final Backoff backoff;
  private final CountDownLatch woken = new CountDownLatch(1);
  private boolean refused;

  KafkaRefusals(IngestListener listener, Duration initialBackoff, Duration maxBackoff) {
    this.listener = listener;
    this.backoff = new Backoff(initialBackoff, maxBackoff);
  }

  /**
   * Reports {@code failure} if it is a refusal by Kafka (see {@link KafkaRefusal#of}).
   *
   * @return whether it was one
   */
  boolean reportIfRefusal(Throwable failure) {
    Optional<KafkaRefusal> refusal = KafkaRefusal.of(failure);
    refusal.ifPresent(this::report);
    return refusal.isPresent();
  }

  /** Reports {@code failure}, a refusal, then waits the next back-off or until {@link #wakeup}. */
  void refusedThenWait(RuntimeException failure) {
    refusedThenWait(failure, BatchTrace.OFF);
  }

  /**
   * As {@link #refusedThenWait(RuntimeException)}, and adds the retry to the span of the batch in
   * hand ({@link BatchTrace#OFF} for none).
   */
  void refusedThenWait(RuntimeException failure, BatchTrace inHand) {
    if (!reportIfRefusal(failure)) {
      throw failure;
    }
    Duration wait = backoff.next();
    inHand.retrying(backoff.failures() + 1, wait, failure);
    LOG.debug("trying Kafka again in {} ms", wait.toMillis());
    try {
      woken.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kafka accepted the clients: ends a refusal, if there was one. Cheap when there was none. */
  void accepted() {
    if (!refused) {
      return;
    }
    refused = false;
    backoff.reset();
    LOG.info("Kafka accepts the ingest again");
    notify(IngestListener::kafkaAccepted);
  }

  /** Ends a back-off wait at once, and every one after it: the ingest is closing. */
  void wakeup() {
    woken.countDown();
  }

  private void report(KafkaRefusal refusal) {
    if (refused) {
      LOG.debug("{}; trying again", refusal.sentence());
    } else {
      LOG.warn("{}; trying again with back-off", refusal.sentence());
    }
    refused = true;
    notify(l -> l.kafkaRefused(refusal));
  }

  private void notify(Consumer<IngestListener> call) {
    try {
      call.accept(listener);
    } catch (RuntimeException e) {
      LOG.warn("the ingest's listener failed: {}", e.toString());
    }
  }
}
