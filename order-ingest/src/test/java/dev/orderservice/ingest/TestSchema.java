package dev.orderservice.ingest;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresDsn;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.testsupport.IsolatedSchema;
import dev.orderservice.testsupport.SharedDatabase;

/**
 * A migrated {@link IsolatedSchema} of this module's test database and the store over it, so each
 * test starts from an empty store even when the database is shared. Closing drops the schema and
 * closes the pool.
 */
final class TestSchema implements AutoCloseable {

  private static final SharedDatabase DATABASE =
      new SharedDatabase("order_ingest_tests", PostgresDsn::toJdbcUrl);

  private final IsolatedSchema schema;
  private final PostgresOrderStore store;

  private TestSchema(IsolatedSchema schema) {
    this.schema = schema;
    this.store = new PostgresOrderStore(schema.dataSource());
  }

  static TestSchema migrated(String prefix) {
    return new TestSchema(
        DATABASE.newSchema(prefix, OrderDatabase::pool).migrate(Migrations::migrate));
  }

  PostgresOrderStore store() {
    return store;
  }

  /** The schema's pool, for what the store does not do (the ingest's positions, a restore). */
  HikariDataSource dataSource() {
    return schema.dataSource();
  }

  @Override
  public void close() {
    schema.close();
  }
}
