package dev.orderservice.server.lifecycle;

import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.persistence.Migrations;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema up to date at start, waiting for a database that is not reachable yet (a
 * container started alongside it) for a while before giving up.
 */
public final class DatabaseStartup {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseStartup.class);

  private DatabaseStartup() {}

  /**
   * Applies the migrations, trying again every second while the database is unreachable.
   *
   * @throws OrderStoreException if the database stays unreachable for {@code wait}, or refuses the
   *     migrations for a reason that waiting does not cure
   * @throws IllegalStateException if the thread is interrupted while it waits
   */
  public static void migrateWhenReachable(DataSource pool, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        Migrations.migrate(pool);
        return;
      } catch (OrderStoreException e) {
        if (!e.isTransient() || System.nanoTime() > deadline) {
          throw e;
        }
        LOG.warn("database not reachable yet ({}); trying again in 1 s", e.getMessage());
        sleepOneSecond();
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
