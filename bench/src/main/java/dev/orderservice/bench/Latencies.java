package dev.orderservice.bench;

import java.util.Arrays;

/** Latencies in nanoseconds, collected then summed up as percentiles in milliseconds. */
final class Latencies {

  private long[] values = new long[1024];
  private int size;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int count() {
    return size;
  }

  /** The percentiles of what was added. */
  Summary summary() {
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return new Summary(
        size,
        at(sorted, 0.50),
        at(sorted, 0.95),
        at(sorted, 0.99),
        size == 0 ? 0 : sorted[size - 1]);
  }

  private static long at(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** p50, p95, p99 and the maximum, in nanoseconds, of {@code count} values. */
  record Summary(int count, long p50, long p95, long p99, long max) {

    String millis() {
      return String.format(
          "p50 %6.1f  p95 %6.1f  p99 %6.1f  max %6.1f ms  (%,d)",
          p50 / 1e6, p95 / 1e6, p99 / 1e6, max / 1e6, count);
    }
  }
}
