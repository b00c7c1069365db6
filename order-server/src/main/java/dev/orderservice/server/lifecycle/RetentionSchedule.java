package dev.orderservice.server.lifecycle;

import dev.orderservice.persistence.OrderRetention;
import dev.orderservice.server.config.ServerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAmount;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's retention (settings {@code RETENTION} and {@code RETENTION_ACTION}): runs {@link
 * OrderRetention} on a thread of its own, at once when it starts (the database has just been
 * migrated) and then {@link #EVERY} after each run ends, with the cutoff "now minus the period"
 * computed in UTC at each run. Of the instances sharing a database one at a time runs it; the
 * others' runs are skipped (see {@link OrderRetention}). A run that fails (the database is down) is
 * logged and counted, and the next one comes at its time.
 *
 * <p>Meters: {@code order.retention.orders{action}} (orders anonymized or deleted, counted as each
 * batch commits), {@code order.retention.runs{outcome}} ({@code done}, {@code skipped}, {@code
 * failed}), {@code order.retention.batch} (a timer of how long each batch held its locks), and the
 * gauges {@code order.retention.last.run.seconds} and {@code
 * order.retention.last.longest.batch.seconds} of the last run that was done.
 *
 * <p>Stopped by the {@link Lifecycle} it was started with: the run in progress ends after its
 * current batch, which commits. Thread safe.
 */
public final class RetentionSchedule {

  /** How long after a run ends the next one starts. */
  public static final Duration EVERY = Duration.ofHours(1);

  /** The most the shutdown waits for the batch in progress. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(RetentionSchedule.class);

  private final OrderRetention retention;
  private final TemporalAmount keep;
  private final OrderRetention.Action action;
  private final Clock clock;
  private final Duration every;
  private final Counter orders;
  private final Timer batches;
  private final MeterRegistry meters;
  private final AtomicReference<OrderRetention.Run> lastDone = new AtomicReference<>();

  private RetentionSchedule(
      OrderRetention retention,
      TemporalAmount keep,
      OrderRetention.Action action,
      Duration every,
      Clock clock,
      MeterRegistry meters) {
    this.retention = retention;
    this.every = every;
    this.keep = keep;
    this.action = action;
    this.clock = clock;
    this.meters = meters;
    this.orders =
        Counter.builder("order.retention.orders")
            .tag("action", action.label())
            .description("Orders the retention anonymized or deleted (RETENTION_ACTION).")
            .register(meters);
    this.batches =
        Timer.builder("order.retention.batch")
            .description("How long each batch of the retention held its rows' locks.")
            .register(meters);
    Gauge.builder(
            "order.retention.last.run", lastDone, last -> seconds(last, OrderRetention.Run::took))
        .baseUnit("seconds")
        .description("How long the last retention run that was done took.")
        .register(meters);
    Gauge.builder(
            "order.retention.last.longest.batch",
            lastDone,
            last -> seconds(last, OrderRetention.Run::longestBatch))
        .baseUnit("seconds")
        .description("The longest a batch of the last retention run held its locks.")
        .register(meters);
  }

  /** Starts the retention {@code config} asks for ({@code RETENTION}), if any. */
  public static void startIfSet(
      ServerConfig config, DataSource database, MeterRegistry meters, Lifecycle lifecycle) {
    config
        .retention()
        .ifPresent(keep -> start(database, keep, config.retentionAction(), meters, lifecycle));
  }

  /**
   * Starts the retention of orders older than {@code keep} on {@code database}; {@code lifecycle}
   * stops it.
   */
  public static RetentionSchedule start(
      DataSource database,
      TemporalAmount keep,
      OrderRetention.Action action,
      MeterRegistry meters,
      Lifecycle lifecycle) {
    return start(
        new OrderRetention(database), keep, action, EVERY, Clock.systemUTC(), meters, lifecycle);
  }

  static RetentionSchedule start(
      OrderRetention retention,
      TemporalAmount keep,
      OrderRetention.Action action,
      Duration every,
      Clock clock,
      MeterRegistry meters,
      Lifecycle lifecycle) {
    RetentionSchedule schedule =
        new RetentionSchedule(
            Objects.requireNonNull(retention, "retention"),
            Objects.requireNonNull(keep, "keep"),
            Objects.requireNonNull(action, "action"),
            Objects.requireNonNull(every, "every"),
            Objects.requireNonNull(clock, "clock"),
            Objects.requireNonNull(meters, "meters"));
    ScheduledExecutorService thread =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("order-retention"));
    lifecycle.onClose(
        "stop the retention (its batch in progress commits)",
        () -> {
          thread.shutdownNow(); // interrupts the run: it stops after its batch
          thread.awaitTermination(lifecycle.remainingMillis(STOP_TIMEOUT), TimeUnit.MILLISECONDS);
        });
    LOG.info(
        "retention: orders older than {} are {}d now and every {} min",
        keep,
        action.label(),
        every.toMinutes());
    thread.scheduleWithFixedDelay(schedule::runOnce, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return schedule;
  }

  /** The cutoff of a run now: the orders created before it are old. */
  Instant cutoff() {
    return clock.instant().atZone(ZoneOffset.UTC).minus(keep).toInstant();
  }

  private void runOnce() {
    String outcome = "failed";
    try {
      OrderRetention.Run run =
          retention.run(
              cutoff(),
              action,
              batch -> {
                orders.increment(batch.orders());
                batches.record(batch.held());
              });
      if (run.skipped()) {
        outcome = "skipped";
      } else {
        outcome = "done";
        lastDone.set(run);
      }
    } catch (RuntimeException e) {
      // The thread must survive for the next run; the failure is the database's, said in one line.
      LOG.warn(
          "retention: the run failed, the next one is in {} min: {}",
          every.toMinutes(),
          e.toString());
    } finally {
      Counter.builder("order.retention.runs")
          .tag("outcome", outcome)
          .description("Retention runs: done, skipped (another instance ran it) or failed.")
          .register(meters)
          .increment();
    }
  }

  /** A duration of the last run that was done, in seconds; 0 before the first. */
  private static double seconds(
      AtomicReference<OrderRetention.Run> last, Function<OrderRetention.Run, Duration> figure) {
    OrderRetention.Run run = last.get();
    return run == null ? 0 : figure.apply(run).toNanos() / 1e9;
  }
}
