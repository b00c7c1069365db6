package dev.orderservice.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.server.lifecycle.DependencyProblems.Dependency;
import dev.orderservice.server.lifecycle.DependencyProblems.Kind;
import dev.orderservice.server.lifecycle.DependencyProblems.Problem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DependencyProblemsTest {

  private final MutableClock clock = new MutableClock();
  private final DependencyProblems problems = new DependencyProblems(clock);

  @Test
  void aReportedProblemIsCurrentUntilCleared() {
    problems.report(Dependency.KAFKA, Kind.AUTHENTICATION, "invalid credentials\nmore detail");

    assertThat(problems.current())
        .containsExactly(new Problem(Dependency.KAFKA, Kind.AUTHENTICATION, "invalid credentials"));

    problems.clear(Dependency.KAFKA);
    assertThat(problems.current()).isEmpty();
  }

  @Test
  void problemsAreListedByDependencyAndTheLatestReportOfEachWins() {
    problems.report(Dependency.KAFKA, Kind.TLS, "handshake failed");
    problems.report(Dependency.DATABASE, Kind.UNREACHABLE, "connection refused");
    problems.report(Dependency.DATABASE, Kind.AUTHENTICATION, "password authentication failed");

    assertThat(problems.current())
        .extracting(Problem::dependency, Problem::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Dependency.DATABASE, Kind.AUTHENTICATION),
            org.assertj.core.groups.Tuple.tuple(Dependency.KAFKA, Kind.TLS));
  }

  @Test
  void theSameProblemIsLoggedAtMostOnceAMinute() {
    assertThat(logsOn(() -> problems.report(Dependency.DATABASE, Kind.TLS, "bad cert"))).isTrue();
    clock.advance(Duration.ofSeconds(59));
    assertThat(logsOn(() -> problems.report(Dependency.DATABASE, Kind.TLS, "bad cert"))).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(logsOn(() -> problems.report(Dependency.DATABASE, Kind.TLS, "bad cert"))).isTrue();
    assertThat(logsOn(() -> problems.report(Dependency.DATABASE, Kind.AUTHENTICATION, "other")))
        .as("another kind of problem is news")
        .isTrue();
  }

  /** Whether the report just made was logged: the throttle's state moved to now. */
  private boolean logsOn(Runnable report) {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DependencyProblems.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.read.ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      report.run();
    } finally {
      logger.detachAppender(appender);
    }
    return !appender.list.isEmpty();
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-12-06T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
