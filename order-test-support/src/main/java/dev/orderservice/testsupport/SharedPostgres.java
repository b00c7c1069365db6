package dev.orderservice.testsupport;

import dev.orderservice.devstack.EmbeddedPostgres;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL per test JVM, shared by every test class that asks, or an external server named by
 * the environment variable {@value #DSN_VARIABLE}.
 *
 * <p>Tests should go through a {@link SharedDatabase} (or {@link #jdbcUrlForTests(String,
 * UnaryOperator)}): it makes the embedded-or-external decision in one place. The embedded server is
 * started lazily on first use (a second or two) with a temporary data directory and is closed by a
 * JVM shutdown hook; it is never closed earlier, so callers must not close it.
 *
 * <p>Thread-safe: concurrent first calls start exactly one server; the calls block until it is
 * ready. A failed start is not cached: the next call tries again.
 */
public final class SharedPostgres {

  /** Environment variable naming an external PostgreSQL (JDBC URL or postgres:// DSN). */
  public static final String DSN_VARIABLE = "TEST_DB_DSN";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  private static EmbeddedPostgres instance;

  private SharedPostgres() {}

  /**
   * The JVM-wide embedded server, started on first call. It ignores {@value #DSN_VARIABLE}; use
   * {@link #jdbcUrlForTests(String, UnaryOperator)} to honour it.
   *
   * @throws dev.orderservice.devstack.DevstackException if the server cannot start
   */
  public static synchronized EmbeddedPostgres instance() {
    if (instance == null) {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().build();
      try {
        postgres.start(); // registers the shutdown hook that closes it
      } catch (RuntimeException e) {
        try {
          postgres.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      instance = postgres;
    }
    return instance;
  }

  /**
   * A JDBC URL, including the user, for a test database.
   *
   * <p>If {@value #DSN_VARIABLE} is set, that server is used and its URL returned as {@code
   * dsnToJdbcUrl} converts it; {@code databaseName} is then ignored, because the DSN already names
   * the database the environment prepared. The caller passes {@code PostgresDsn::toJdbcUrl}, the
   * service's own parser, which lives in order-persistence, above this module. Otherwise the
   * database {@code databaseName} is created on the shared embedded server unless it exists (it is
   * new on a fresh server; repeated calls in one JVM return the same database).
   *
   * @throws IllegalArgumentException if {@value #DSN_VARIABLE} is not a valid DSN, or the database
   *     name is not valid
   * @throws dev.orderservice.devstack.DevstackException if the embedded server cannot start or
   *     create the database
   */
  public static String jdbcUrlForTests(String databaseName, UnaryOperator<String> dsnToJdbcUrl) {
    Optional<String> dsn = externalDsn();
    if (dsn.isPresent()) {
      String url = dsnToJdbcUrl.apply(dsn.get());
      LOG.debug("using external PostgreSQL from {}", DSN_VARIABLE);
      return url;
    }
    EmbeddedPostgres postgres = instance();
    return postgres.createDatabaseIfNotExists(databaseName) + "?user=" + postgres.user();
  }

  /** The value of {@value #DSN_VARIABLE}, if set and not blank. */
  public static Optional<String> externalDsn() {
    String value = System.getenv(DSN_VARIABLE);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }
}
