package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Duration INITIAL = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(2);

  @Test
  void eachFailureWaitsBetweenHalfAndAllOfADoublingCeiling() {
    Backoff backoff = new Backoff(INITIAL, MAX);

    for (long ceilingMillis : new long[] {100, 200, 400, 800, 1_600}) {
      assertThat(backoff.next())
          .isBetween(Duration.ofMillis(ceilingMillis / 2), Duration.ofMillis(ceilingMillis));
    }
  }

  @Test
  void theCeilingStopsAtTheMaximumHoweverManyFailuresFollow() {
    Backoff backoff = new Backoff(INITIAL, MAX);
    for (int i = 0; i < 5; i++) {
      backoff.next();
    }

    for (int i = 0; i < 100; i++) {
      assertThat(backoff.next()).isBetween(MAX.dividedBy(2), MAX);
    }
  }

  @Test
  void aLongInitialWaitIsCappedEvenWhenDoublingItWouldOverflow() {
    // 2^34 ns + 1: shifted left by 30 it wraps around to a small positive number of nanoseconds.
    Duration initial = Duration.ofNanos((1L << 34) + 1);
    Duration max = Duration.ofMinutes(1);
    Backoff backoff = new Backoff(initial, max);

    for (int i = 0; i < 40; i++) {
      assertThat(backoff.next())
          .as("wait after failure %d", i + 1)
          .isBetween(initial.dividedBy(2), max);
    }
  }

  @Test
  void theJitterSpreadsWaitsOverTheWholeUpperHalf() {
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Backoff backoff = new Backoff(MAX, MAX);
      waits.add(backoff.next());
    }

    assertThat(waits).allSatisfy(w -> assertThat(w).isBetween(MAX.dividedBy(2), MAX));
    assertThat(waits).anySatisfy(w -> assertThat(w).isLessThan(Duration.ofMillis(1_250)));
    assertThat(waits).anySatisfy(w -> assertThat(w).isGreaterThan(Duration.ofMillis(1_750)));
  }

  @Test
  void aResetStartsOverFromTheInitialWait() {
    Backoff backoff = new Backoff(INITIAL, MAX);
    for (int i = 0; i < 10; i++) {
      backoff.next();
    }

    backoff.reset();

    assertThat(backoff.next()).isBetween(INITIAL.dividedBy(2), INITIAL);
    assertThat(backoff.next()).isBetween(INITIAL, INITIAL.multipliedBy(2));
  }
}
