package dev.orderservice.persistence;

import dev.orderservice.domain.OrderStoreException;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code db} module's Flyway migrations ({@code classpath:db/migration}), the one
 * source of the schema that {@link PostgresOrderStore} works in, then fills the canonical JSON of
 * any order stored without it (rows from before the V2 migration, or written by an instance of an
 * earlier version during a rolling upgrade).
 *
 * <p>Thread safe, and safe to run on every start and from several processes at once: Flyway takes a
 * lock in the database. Blocks while it works.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** Where the {@code db} module's jar keeps its migrations. */
  private static final String LOCATION = "classpath:db/migration";

  private Migrations() {}

  /**
   * Brings the schema of {@code dataSource}'s connections (their current schema) up to date.
   *
   * @return how many migrations were applied now; 0 if the schema was up to date
   * @throws OrderStoreException if the migrations could not be applied, {@linkplain
   *     OrderStoreException#isTransient() transient} if the database was unreachable
   */
  public static int migrate(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    MigrateResult result;
    try {
      result =
          Flyway.configure()
              .dataSource(dataSource)
              .locations(LOCATION)
              .failOnMissingLocations(true)
              .load()
              .migrate();
    } catch (FlywayException e) {
      throw StoreFailures.translate("migrate the database schema", e);
    }
    try {
      CanonicalJsonBackfill.run(dataSource);
    } catch (SQLException e) {
      throw StoreFailures.translate("fill in the canonical JSON of stored orders", e);
    }
    for (MigrateOutput applied : result.migrations) {
      log.info(
          "Applied migration {} ({}) in {} ms",
          applied.version,
          applied.description,
          applied.executionTime);
    }
    log.info(
        "Database schema is at version {}; {} migrations applied now",
        result.targetSchemaVersion != null
            ? result.targetSchemaVersion
            : result.initialSchemaVersion,
        result.migrationsExecuted);
    return result.migrationsExecuted;
  }
}
