package dev.orderservice.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The uids evicted in the last {@value #KEPT_OUT_SECONDS} seconds, which a {@code put} must not
 * bring back: an ingest that stored an order just before its erasure, or a lookup that read it just
 * before, puts the old document after the erasure's eviction arrived. Both happen within
 * milliseconds of the read; the margin is for a pause of the JVM. Thread safe; {@link #contains}
 * costs one volatile read while nothing was evicted lately.
 */
final class RecentlyEvicted {

  static final long KEPT_OUT_SECONDS = 10;

  /** Past this many uids, an eviction first forgets those whose time is up. */
  private static final int PRUNE_ABOVE = 10_000;

  private final Map<String, Long> until = new ConcurrentHashMap<>();
  private final long keptOutNanos;

  RecentlyEvicted() {
    this(TimeUnit.SECONDS.toNanos(KEPT_OUT_SECONDS));
  }

  /** For tests: another time. */
  RecentlyEvicted(long keptOutNanos) {
    this.keptOutNanos = keptOutNanos;
  }

  void add(String orderUid) {
    long now = System.nanoTime();
    if (until.size() > PRUNE_ABOVE) {
      until.values().removeIf(end -> now - end > 0);
    }
    until.put(orderUid, now + keptOutNanos);
  }

  /** Whether {@code orderUid} was evicted within the time; forgets it once its time is up. */
  boolean contains(String orderUid) {
    if (until.isEmpty()) {
      return false;
    }
    Long end = until.get(orderUid);
    if (end == null) {
      return false;
    }
    if (System.nanoTime() - end > 0) {
      until.remove(orderUid, end);
      return false;
    }
    return true;
  }
}
