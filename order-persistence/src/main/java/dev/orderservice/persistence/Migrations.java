package dev.orderservice.persistence;

import dev.orderservice.domain.OrderStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code db} module's Flyway migrations ({@code classpath:db/migration}), the one
 * source of the schema that {@link PostgresOrderStore} works in, and finishes what SQL alone cannot
 * do: it fills the columns that orders stored without them lack (rows from before the migration
 * that added them, or written by an instance of an earlier version during a rolling upgrade), and
 * rebuilds indexes that a failed concurrent build left invalid.
 *
 * <p>In this order: the migrations up to V3; the backfills of {@code canonical_json} and {@code
 * created_at}; V4 and V5; the backfill of the summary columns V5 adds; the remaining migrations,
 * among them V6. Each index on a filled column (V4's on {@code created_at}, V6's covering the
 * summary) is then built over filled rows rather than updated row by row by the backfill. Last, the
 * repair of invalid indexes. On an up-to-date database each step finds nothing to do in an index
 * probe or two.
 *
 * <p>Thread safe, and safe to run on every start and from several processes at once: Flyway takes a
 * lock in the database, the backfills share their work row by row, the repair runs in one process
 * at a time. Blocks while it works, which on a large database being upgraded includes the backfills
 * and the concurrent index builds; writers are not blocked meanwhile.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** Where the {@code db} module's jar keeps its migrations. */
  private static final String FOLDER = "db/migration/";

  private static final String LOCATION = "classpath:" + FOLDER;

  /** The last migration before V4, which indexes the columns of the first backfills. */
  private static final String BEFORE_SEARCH_INDEXES = "3";

  /** The last migration before V6, which indexes the columns of the summary's backfill. */
  private static final String BEFORE_SUMMARY_INDEXES = "5";

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
    retryFailedConcurrentMigrations(flyway(dataSource, MigrationVersion.LATEST));
    MigrateResult first =
        migrate(flyway(dataSource, MigrationVersion.fromVersion(BEFORE_SEARCH_INDEXES)));
    try {
      Backfill.canonicalJson(dataSource);
      Backfill.createdAt(dataSource);
    } catch (SQLException e) {
      throw StoreFailures.translate("fill in the columns stored orders lack", e);
    }
    MigrateResult second =
        migrate(flyway(dataSource, MigrationVersion.fromVersion(BEFORE_SUMMARY_INDEXES)));
    try {
      Backfill.summary(dataSource);
    } catch (SQLException e) {
      throw StoreFailures.translate("fill in the summaries stored orders lack", e);
    }
    MigrateResult rest = migrate(flyway(dataSource, MigrationVersion.LATEST));
    try {
      InvalidIndexes.repair(dataSource);
    } catch (SQLException e) {
      throw StoreFailures.translate("look for invalid indexes", e);
    }
    for (MigrateResult result : List.of(first, second, rest)) {
      for (MigrateOutput applied : result.migrations) {
        log.info(
            "Applied migration {} ({}) in {} ms",
            applied.version,
            applied.description,
            applied.executionTime);
      }
    }
    int applied = first.migrationsExecuted + second.migrationsExecuted + rest.migrationsExecuted;
    log.info(
        "Database schema is at version {}; {} migrations applied now",
        rest.targetSchemaVersion != null ? rest.targetSchemaVersion : rest.initialSchemaVersion,
        applied);
    return applied;
  }

  private static Flyway flyway(DataSource dataSource, MigrationVersion target) {
    FluentConfiguration config =
        Flyway.configure()
            .dataSource(dataSource)
            .locations(LOCATION)
            .failOnMissingLocations(true)
            .target(target);
    // Flyway's default lock on PostgreSQL is an advisory lock held by an open transaction for the
    // whole run; a CREATE INDEX CONCURRENTLY (V4) waits for every open transaction to end, that one
    // included, and would hang forever. The session-level lock, taken by polling
    // pg_try_advisory_lock, holds no transaction open.
    config
        .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    return config.load();
  }

  private static MigrateResult migrate(Flyway flyway) {
    try {
      return flyway.migrate();
    } catch (FlywayException e) {
      throw StoreFailures.translate("migrate the database schema", e);
    }
  }

  /**
   * Lets a non-transactional migration that failed at an earlier start run again.
   *
   * <p>On PostgreSQL a failed migration that ran in a transaction was rolled back and left no
   * trace. One that ran without (its {@code .sql.conf} says {@code executeInTransaction=false}: the
   * concurrent index builds) may have done part of its work, so Flyway records it as failed and
   * refuses to migrate until someone runs {@code flyway repair}: the service would not start again
   * by itself. This project writes such migrations to be run again from the start ({@code IF NOT
   * EXISTS}; {@link InvalidIndexes} rebuilds what a failed build left invalid), so when the only
   * thing wrong is such failures, and migrations not applied yet, their records are removed ({@link
   * Flyway#repair()}) and they run again. Anything else wrong (a changed or missing script, a
   * failed migration of another kind) is left for Flyway to refuse, as it would.
   */
  private static void retryFailedConcurrentMigrations(Flyway flyway) {
    ValidateResult validation;
    try {
      validation = flyway.validateWithResult();
    } catch (FlywayException e) {
      throw StoreFailures.translate("migrate the database schema", e);
    }
    List<ValidateOutput> failed =
        validation.invalidMigrations.stream()
            .filter(m -> is(m, CoreErrorCode.FAILED_VERSIONED_MIGRATION))
            .toList();
    boolean onlyThoseAndPending =
        validation.invalidMigrations.stream()
            .allMatch(
                m ->
                    is(m, CoreErrorCode.FAILED_VERSIONED_MIGRATION)
                        || is(m, CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED));
    if (failed.isEmpty()
        || !onlyThoseAndPending
        || !failed.stream().allMatch(Migrations::runsWithoutTransaction)) {
      return;
    }
    for (ValidateOutput migration : failed) {
      log.warn(
          "Migration {} ({}) failed at an earlier start; it runs without a transaction and can run"
              + " again: forgetting the failure (flyway repair) and running it again",
          migration.version,
          migration.description);
    }
    try {
      flyway.repair();
    } catch (FlywayException e) {
      throw StoreFailures.translate("repair the schema history", e);
    }
  }

  private static boolean is(ValidateOutput migration, CoreErrorCode error) {
    return migration.errorDetails != null && migration.errorDetails.errorCode == error;
  }

  private static boolean runsWithoutTransaction(ValidateOutput migration) {
    if (migration.filepath == null) {
      return false;
    }
    String script = migration.filepath.substring(migration.filepath.lastIndexOf('/') + 1);
    try (InputStream conf =
        Migrations.class.getClassLoader().getResourceAsStream(FOLDER + script + ".conf")) {
      if (conf == null) {
        return false;
      }
      Properties settings = new Properties();
      settings.load(conf);
      return "false".equals(settings.getProperty("executeInTransaction"));
    } catch (IOException e) {
      return false;
    }
  }
}
