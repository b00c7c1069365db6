package dev.orderservice.server.lifecycle;

import dev.orderservice.cache.WarmUpStatus;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.PostgresRefusal;
import dev.orderservice.server.lifecycle.DependencyProblems.Dependency;
import dev.orderservice.server.lifecycle.DependencyProblems.Kind;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema up to date at start, waiting for a database that is not reachable yet (a
 * container started alongside it) for a while before giving up.
 *
 * <p>A database that refuses the service is told apart: a certificate that does not verify (or TLS
 * the server does not offer) stops start-up with one sentence ({@link StartRefusedException}), as
 * waiting would not change it; a refused password or role is an operator's fix on the database
 * side, so the server starts without it ({@code /readyz} names it through {@link
 * DependencyProblems}) and {@link #migrateOnceAccepted} keeps trying until the database lets it in.
 */
public final class DatabaseStartup {

  /** What {@code /readyz} shows of a warm-up that waits for the database to accept the service. */
  public static final WarmUpStatus WARM_UP_WAITING =
      new WarmUpStatus(WarmUpStatus.State.RUNNING, 0, 0, Duration.ZERO);

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseStartup.class);

  private DatabaseStartup() {}

  /**
   * Applies the migrations, trying again every second while the database is unreachable.
   *
   * @param jdbcUrl the pool's URL, for naming the user, host and certificate files in messages
   * @return true once migrated; false if the database refuses the password or the role, which is
   *     then reported to {@code problems} (start the rest with {@link #migrateOnceAccepted})
   * @throws StartRefusedException if the database refuses the TLS connection
   * @throws OrderStoreException if the database stays unreachable for {@code wait}, or refuses the
   *     migrations for a reason that waiting does not cure
   * @throws IllegalStateException if the thread is interrupted while it waits
   */
  public static boolean migrateWhenReachable(
      DataSource pool, String jdbcUrl, Duration wait, DependencyProblems problems) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        probe(jdbcUrl);
        Migrations.migrate(pool);
        return true;
      } catch (OrderStoreException e) {
        Optional<PostgresRefusal> refusal = PostgresRefusal.of(e, jdbcUrl);
        if (refusal.isPresent() && refusal.get().kind() == PostgresRefusal.Kind.TLS) {
          throw new StartRefusedException(refusal.get().message(), e);
        }
        if (refusal.isPresent()) {
          problems.report(Dependency.DATABASE, Kind.AUTHENTICATION, refusal.get().message());
          return false;
        }
        if (!e.isTransient() || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.warn("database not reachable yet ({}); trying again in 1 s", e.getMessage());
        sleepOneSecond();
      }
    }
  }

  /**
   * On a thread of its own: tries the migrations every few seconds, each failure reported to {@code
   * problems}, until they succeed; then clears the problem and runs {@code then} (the parts that
   * work on the database). Closing {@code lifecycle} ends the waiting.
   */
  public static void migrateOnceAccepted(
      DataSource pool,
      String jdbcUrl,
      DependencyProblems problems,
      Lifecycle lifecycle,
      Runnable then) {
    Thread waiter =
        DaemonThreads.named("order-database-wait")
            .newThread(() -> waitThenStart(pool, jdbcUrl, problems, then));
    waiter.start();
    lifecycle.onClose(
        "stop waiting for the database",
        () -> {
          waiter.interrupt();
          waiter.join(5_000);
        });
  }

  private static void waitThenStart(
      DataSource pool, String jdbcUrl, DependencyProblems problems, Runnable then) {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        probe(jdbcUrl);
        Migrations.migrate(pool);
      } catch (OrderStoreException e) {
        Optional<PostgresRefusal> refusal = PostgresRefusal.of(e, jdbcUrl);
        problems.report(
            Dependency.DATABASE,
            refusal
                .map(r -> r.kind() == PostgresRefusal.Kind.TLS ? Kind.TLS : Kind.AUTHENTICATION)
                .orElse(Kind.UNREACHABLE),
            refusal.map(PostgresRefusal::message).orElse(e.getMessage()));
        try {
          sleepOneSecond();
        } catch (IllegalStateException interrupted) {
          return;
        }
        continue;
      }
      problems.clear(Dependency.DATABASE);
      LOG.info("PostgreSQL accepts the service now; starting what works on it");
      try {
        then.run();
      } catch (IllegalStateException closed) {
        LOG.info("closed while starting what works on the database");
      }
      return;
    }
  }

  /**
   * One connection of our own, not the pool's: a refusal shows at once, where the pool would wait
   * for its connection timeout and then say only that none was available.
   *
   * @throws OrderStoreException if PostgreSQL refuses the service; other failures are left to the
   *     migrations through the pool, which report them as before
   */
  private static void probe(String jdbcUrl) {
    Properties quick = new Properties();
    quick.setProperty("connectTimeout", "5"); // unless the DSN says otherwise
    try (Connection connection = DriverManager.getConnection(jdbcUrl, quick)) {
      // accepted
    } catch (SQLException e) {
      if (PostgresRefusal.of(e, jdbcUrl).isPresent()) {
        throw new OrderStoreException("PostgreSQL refuses the service", false, e);
      }
    }
  }

  private static void sleepOneSecond() {
    try {
      // The pause between attempts to reach a database that is still starting; nothing to wait on.
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the database", e);
    }
  }
}
