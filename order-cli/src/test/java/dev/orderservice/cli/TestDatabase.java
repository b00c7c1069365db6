package dev.orderservice.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresDsn;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.testsupport.IsolatedSchema;
import dev.orderservice.testsupport.SharedDatabase;

/**
 * An {@link IsolatedSchema} of this module's test database, named in the JDBC URL ({@code
 * currentSchema}) so the CLI, which migrates on import, creates and uses it. Closing drops it.
 */
final class TestDatabase implements AutoCloseable {

  private static final SharedDatabase DATABASE =
      new SharedDatabase("order_cli_tests", PostgresDsn::toJdbcUrl);

  private final IsolatedSchema schema;

  private TestDatabase(IsolatedSchema schema) {
    this.schema = schema;
  }

  static TestDatabase fresh(String prefix) {
    return new TestDatabase(DATABASE.newSchema(prefix, OrderDatabase::pool));
  }

  /** The JDBC URL for --db. */
  String url() {
    return schema.jdbcUrl();
  }

  /** The store over this schema (after the CLI, or {@link #migrate()}, created it). */
  PostgresOrderStore store() {
    return new PostgresOrderStore(schema.dataSource());
  }

  /** The schema's name, for the tests that scan all of its tables. */
  String schema() {
    return schema.name();
  }

  HikariDataSource pool() {
    return schema.dataSource();
  }

  TestDatabase migrate() {
    schema.migrate(Migrations::migrate);
    return this;
  }

  long count() {
    return store().count();
  }

  @Override
  public void close() {
    schema.close();
  }
}
