package dev.orderservice.ingest;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.SharedPostgres;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A migrated schema of its own on the test PostgreSQL (the shared embedded one, or the server named
 * by TEST_DB_DSN), with a small pool whose connections use it as their current schema, so each test
 * starts from an empty store even when the database is shared. Closing drops the schema and closes
 * the pool.
 */
final class TestSchema implements AutoCloseable {

  private final String name;
  private final HikariDataSource pool;
  private final PostgresOrderStore store;

  private TestSchema(String name, HikariDataSource pool) {
    this.name = name;
    this.pool = pool;
    this.store = new PostgresOrderStore(pool);
  }

  static TestSchema migrated(String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = SharedPostgres.jdbcUrlForTests("order_ingest_tests");
    url += (url.contains("?") ? "&" : "?") + "currentSchema=" + name;
    TestSchema schema = new TestSchema(name, OrderDatabase.pool(url, 4, "test-" + name));
    Migrations.migrate(schema.pool);
    return schema;
  }

  PostgresOrderStore store() {
    return store;
  }

  @Override
  public void close() {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("drop schema if exists " + name + " cascade");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop schema " + name, e);
    } finally {
      pool.close();
    }
  }
}
