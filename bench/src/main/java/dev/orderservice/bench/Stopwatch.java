package dev.orderservice.bench;

/** Time since a start, as a rate. Reads {@link System#nanoTime()}; not shared between threads. */
final class Stopwatch {

  private final long startedAt;

  private Stopwatch(long startedAt) {
    this.startedAt = startedAt;
  }

  static Stopwatch start() {
    return new Stopwatch(System.nanoTime());
  }

  /** {@code count} per second over the time from the start to now. */
  double perSecond(long count) {
    return perSecondUntil(count, System.nanoTime());
  }

  /** {@code count} per second over the time from the start to {@code nanoTime}. */
  double perSecondUntil(long count, long nanoTime) {
    return count / ((nanoTime - startedAt) / 1e9);
  }

  /** Milliseconds from the start to {@code nanoTime}. */
  long millisUntil(long nanoTime) {
    return (nanoTime - startedAt) / 1_000_000;
  }
}
