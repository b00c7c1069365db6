package dev.orderservice.server.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps the server from being ready, by dependency: a database that refuses the password or
 * the certificate, a broker that refuses the client's credentials. Whoever meets the problem
 * reports it, and clears it once the dependency answers again; {@code /readyz} shows the problems
 * that are current, and answers 503 while there is one.
 *
 * <p>The log says a problem at most once per {@link #LOG_EVERY} for each dependency and kind (a
 * warning with the reason), and says once when it is over; a retry loop may report the same problem
 * on every attempt. Reasons are one line and must hold no secret: callers pass what the dependency
 * said, never a password, key or connection string with credentials.
 *
 * <p>Thread safe.
 */
public final class DependencyProblems {

  /** The least time between two log lines about the same problem. */
  public static final Duration LOG_EVERY = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(DependencyProblems.class);

  private final Clock clock;
  private final Map<Dependency, Problem> current = new EnumMap<>(Dependency.class);
  private final Map<Dependency, Instant> loggedAt = new EnumMap<>(Dependency.class);
  private final Map<Dependency, Kind> loggedKind = new EnumMap<>(Dependency.class);

  public DependencyProblems() {
    this(Clock.systemUTC());
  }

  /** For tests: a clock of their own. */
  DependencyProblems(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** What the server depends on. */
  public enum Dependency {
    DATABASE,
    KAFKA;

    /** The name {@code /readyz} and the log use, e.g. {@code database}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Why a dependency refuses. */
  public enum Kind {
    /** Wrong user or password, unknown SASL user, missing or rejected client certificate. */
    AUTHENTICATION,
    /** The server's certificate does not verify, the TLS handshake fails. */
    TLS,
    /** Authenticated, but not allowed to do what the service needs. */
    AUTHORIZATION,
    /** Not reachable at all. */
    UNREACHABLE,
    /** Kafka's group still holds this instance's id for a crashed member (consumer protocol). */
    MEMBERSHIP;

    /** The name {@code /readyz} and the log use, e.g. {@code authentication}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A current problem: which dependency, what kind, and why in one line. */
  public record Problem(Dependency dependency, Kind kind, String reason) {
    public Problem {
      Objects.requireNonNull(dependency, "dependency");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Records that {@code dependency} refuses, and logs it unless it was logged lately. */
  public void report(Dependency dependency, Kind kind, String reason) {
    Problem problem = new Problem(dependency, kind, oneLine(reason));
    boolean log;
    synchronized (this) {
      current.put(dependency, problem);
      Instant now = clock.instant();
      Instant last = loggedAt.get(dependency);
      log =
          last == null || loggedKind.get(dependency) != kind || !now.isBefore(last.plus(LOG_EVERY));
      if (log) {
        loggedAt.put(dependency, now);
        loggedKind.put(dependency, kind);
      }
    }
    if (log) {
      LOG.warn(
          "{} refuses ({}): {}; not ready, trying again (said at most once a minute)",
          dependency.label(),
          kind.label(),
          problem.reason());
    }
  }

  /** Records that {@code dependency} answers again; logs once if it had a problem. */
  public void clear(Dependency dependency) {
    Problem was;
    synchronized (this) {
      was = current.remove(dependency);
      loggedAt.remove(dependency);
      loggedKind.remove(dependency);
    }
    if (was != null) {
      LOG.info("{} answers again (was: {})", dependency.label(), was.kind().label());
    }
  }

  /** The problems now, in the order of {@link Dependency}. */
  public synchronized List<Problem> current() {
    return List.copyOf(new ArrayList<>(current.values()));
  }

  private static String oneLine(String reason) {
    String text = reason == null ? "(no reason given)" : reason.strip();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline).strip();
  }
}
