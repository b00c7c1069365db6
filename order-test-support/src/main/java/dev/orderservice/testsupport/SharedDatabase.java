package dev.orderservice.testsupport;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A database of the test PostgreSQL that one module's tests share, each test in a schema of its
 * own: a database of the JVM's embedded server ({@link SharedPostgres}), or the database of the
 * external server that {@value SharedPostgres#DSN_VARIABLE} names.
 *
 * <p>{@code dsnToJdbcUrl} converts that variable's value; callers pass {@code
 * PostgresDsn::toJdbcUrl}, the service's own parser, which this module cannot see (it sits below
 * order-persistence). For example:
 *
 * <pre>{@code
 * static final SharedDatabase DATABASE =
 *     new SharedDatabase("order_ingest_tests", PostgresDsn::toJdbcUrl);
 * IsolatedSchema schema = DATABASE.newSchema("redelivery", OrderDatabase::pool).migrate(Migrations::migrate);
 * }</pre>
 *
 * <p>Immutable and thread safe. The methods block while the embedded server starts (on first use)
 * and throw what {@link SharedPostgres#jdbcUrlForTests} throws.
 *
 * @param name the database on the embedded server (ignored for an external one, whose DSN names it)
 * @param dsnToJdbcUrl turns {@value SharedPostgres#DSN_VARIABLE} into a JDBC URL
 */
public record SharedDatabase(String name, UnaryOperator<String> dsnToJdbcUrl) {

  public SharedDatabase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dsnToJdbcUrl, "dsnToJdbcUrl");
  }

  /** The database's JDBC URL, the user included. */
  public String jdbcUrl() {
    return SharedPostgres.jdbcUrlForTests(name, dsnToJdbcUrl);
  }

  /**
   * A JDBC URL whose connections work in a schema of their own ({@code currentSchema}), named
   * {@code prefix} and a random suffix. The schema does not exist yet: whatever migrates through
   * the URL first (Flyway, the server, the CLI) creates it.
   */
  public String jdbcUrlOfNewSchema(String prefix) {
    return IsolatedSchema.inSchema(jdbcUrl(), UniqueNames.withPrefix(prefix));
  }

  /**
   * A schema of its own, as {@link #jdbcUrlOfNewSchema}, with a pool that {@code pools} opens over
   * it. The caller closes it, which drops the schema.
   */
  public IsolatedSchema newSchema(String prefix, IsolatedSchema.Pools pools) {
    String schema = UniqueNames.withPrefix(prefix);
    return new IsolatedSchema(schema, IsolatedSchema.inSchema(jdbcUrl(), schema), pools);
  }
}
