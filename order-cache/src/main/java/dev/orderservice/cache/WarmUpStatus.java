package dev.orderservice.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a {@link CacheWarmUp} stands.
 *
 * @param state running, done or failed
 * @param loaded orders put into the cache so far
 * @param total orders the warm-up means to load: the store's count when it began, capped at the
 *     cache's {@link EhcacheOrderCache#maxEntries()}; it grows if orders stored after that count
 *     are streamed too. 0 until the count is known.
 * @param elapsed time since the warm-up was started; fixed once it is done or failed
 */
public record WarmUpStatus(State state, long loaded, long total, Duration elapsed) {

  public WarmUpStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** The stages of a warm-up. It starts {@code RUNNING} and ends in one of the other two. */
  public enum State {
    /** Queued on the executor or streaming from the store. */
    RUNNING,
    /** Every order meant to be loaded was put into the cache. */
    DONE,
    /** The store (or the executor) failed; lookups keep reading through to the store. */
    FAILED
  }
}
