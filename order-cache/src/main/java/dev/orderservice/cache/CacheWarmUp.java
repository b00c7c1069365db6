package dev.orderservice.cache;

import dev.orderservice.cache.WarmUpStatus.State;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.RecentOrders;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills an {@link EhcacheOrderCache} from a store's {@link RecentOrders} in the background, so that
 * a restarted service answers from memory soon while it already serves lookups (misses read through
 * to the store meanwhile).
 *
 * <p>One pass of {@link RecentOrders#streamNewest}, newest first and no further than the cache's
 * {@link EhcacheOrderCache#maxEntries()}: when the store holds more orders than that, only the
 * newest that many are read, so the warm-up's time and memory are set by the cache bound, not by
 * the size of the store. The stored canonical JSON goes into the cache as it is. Progress is logged
 * at INFO every 100,000 orders or every 5 seconds, and the outcome once. A failure ends the warm-up
 * as {@link State#FAILED}; it is logged without the exception's text unless the store vouches for
 * it (an {@link OrderStoreException} leaves rows out of its message), since other exceptions may
 * quote order data.
 *
 * <p>Thread safety: {@link #status()} may be called from any thread, at any time.
 */
public final class CacheWarmUp implements MeterBinder {

  static final long PROGRESS_EVERY_ORDERS = 100_000;
  private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
  private static final Logger LOG = LoggerFactory.getLogger(CacheWarmUp.class);

  private final RecentOrders store;
  private final EhcacheOrderCache cache;
  private final long startNanos = System.nanoTime();
  // Written by the warm-up's thread only; state last, after the outcome is logged, so a reader who
  // sees DONE or FAILED also sees the final counts.
  private volatile long loaded;
  private volatile long total;
  private volatile long endNanos;
  private volatile State state = State.RUNNING;

  private CacheWarmUp(RecentOrders store, EhcacheOrderCache cache) {
    this.store = store;
    this.cache = cache;
  }

  /**
   * Hands the warm-up to {@code executor} and returns at once, unless the executor runs tasks on
   * the calling thread. The store's connection is held on the executor's thread for the whole pass.
   * If the executor refuses the task, the warm-up is {@link State#FAILED} at once.
   *
   * @param store where the orders are read, newest first
   * @param cache where they go; its {@link EhcacheOrderCache#maxEntries()} caps how many
   * @param executor runs the pass; the caller owns it
   * @throws NullPointerException if an argument is null
   */
  public static CacheWarmUp start(RecentOrders store, EhcacheOrderCache cache, Executor executor) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(executor, "executor");
    CacheWarmUp warmUp = new CacheWarmUp(store, cache);
    try {
      executor.execute(warmUp::run);
    } catch (RejectedExecutionException e) {
      warmUp.fail(e);
    }
    return warmUp;
  }

  /**
   * Registers the warm-up's gauges: {@code order.cache.warmup.orders} (loaded so far) and {@code
   * order.cache.warmup.state}, 1 for the current state and 0 for the others (tag {@code state}:
   * {@code running}, {@code done}, {@code failed}).
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("order.cache.warmup.orders", this, w -> w.status().loaded())
        .description("Orders the cache warm-up has loaded.")
        .register(registry);
    for (State each : State.values()) {
      Gauge.builder("order.cache.warmup.state", this, w -> w.status().state() == each ? 1 : 0)
          .description("1 for the state the cache warm-up is in, 0 for the others.")
          .tag("state", each.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
  }

  /** Where the warm-up stands now. */
  public WarmUpStatus status() {
    State current = state;
    long end = current == State.RUNNING ? System.nanoTime() : endNanos;
    return new WarmUpStatus(current, loaded, total, Duration.ofNanos(end - startNanos));
  }

  private void run() {
    try {
      load();
      endNanos = System.nanoTime();
      LOG.info(
          "cache warm-up done: {} orders in {} ms ({} orders/s)",
          loaded,
          millisUntil(endNanos),
          perSecond(loaded, endNanos));
      state = State.DONE;
    } catch (RuntimeException e) {
      fail(e);
    } catch (Error e) {
      fail(e);
      throw e;
    }
  }

  private void load() {
    if (cache.maxEntries() == 0) {
      LOG.info("cache warm-up: nothing to do, the cache is disabled");
      return;
    }
    long bound = cache.maxEntries();
    total = store.countUpTo(bound);
    if (total == bound) {
      LOG.info("cache warm-up: loading the newest {} orders (the cache bound)", total);
    } else {
      LOG.info("cache warm-up: loading {} orders", total);
    }
    store.streamNewest(bound, new Loader());
  }

  private void fail(Throwable e) {
    endNanos = System.nanoTime();
    LOG.warn(
        "cache warm-up failed after {} of {} orders in {} ms; misses read through to the store: {}",
        loaded,
        total,
        millisUntil(endNanos),
        describe(e));
    state = State.FAILED;
  }

  private long millisUntil(long nanos) {
    return Duration.ofNanos(nanos - startNanos).toMillis();
  }

  private long perSecond(long orders, long atNanos) {
    return Math.round(orders * 1e9 / Math.max(1, atNanos - startNanos));
  }

  private static String describe(Throwable e) {
    if (e instanceof OrderStoreException) {
      return e.toString();
    }
    return e.getClass().getName();
  }

  /** Puts streamed orders into the cache. Runs on the store's thread. */
  private final class Loader implements BiConsumer<String, byte[]> {
    private long count;
    private long lastLogNanos = startNanos;

    @Override
    public void accept(String orderUid, byte[] json) {
      cache.put(orderUid, json);
      count++;
      if (count > total) {
        total = count;
      }
      loaded = count;
      logProgress();
    }

    private void logProgress() {
      long now = System.nanoTime();
      if (count % PROGRESS_EVERY_ORDERS == 0 || now - lastLogNanos >= PROGRESS_EVERY_NANOS) {
        lastLogNanos = now;
        LOG.info(
            "cache warm-up: {}/{} orders loaded ({} orders/s)",
            count,
            total,
            perSecond(count, now));
      }
    }
  }
}
