package dev.orderservice.ingest;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: the n-th consecutive failure waits a random time between
 * half and all of {@code min(max, initial * 2^n)}, so instances that failed together do not retry
 * together. Not thread safe.
 */
final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private int failures;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
  }

  /** Counts a failure and returns how long to wait before the next attempt. */
  Duration next() {
    int exponent = Math.min(failures++, 30);
    // Compared before shifting: a shift that overflows can wrap to any value, even a small one.
    long ceiling = initialNanos > (maxNanos >> exponent) ? maxNanos : initialNanos << exponent;
    long half = ceiling / 2;
    return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  /** How many failures in a row {@link #next} has counted since the last {@link #reset}. */
  int failures() {
    return failures;
  }

  /** Forgets past failures after a success. */
  void reset() {
    failures = 0;
  }
}
