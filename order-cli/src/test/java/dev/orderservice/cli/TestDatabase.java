package dev.orderservice.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.SharedPostgres;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A schema of its own on the test PostgreSQL, named in the JDBC URL ({@code currentSchema}) so the
 * CLI, which migrates on import, creates and uses it. Closing drops it.
 */
final class TestDatabase implements AutoCloseable {

  private final String schema;
  private final String url;
  private final HikariDataSource pool;

  private TestDatabase(String schema, String url) {
    this.schema = schema;
    this.url = url;
    this.pool = OrderDatabase.pool(url, 2, "test-" + schema);
  }

  static TestDatabase fresh(String prefix) {
    String schema = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = SharedPostgres.jdbcUrlForTests("order_cli_tests");
    url += (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new TestDatabase(schema, url);
  }

  /** The JDBC URL for --db. */
  String url() {
    return url;
  }

  /** The store over this schema (after the CLI, or {@link #migrate()}, created it). */
  PostgresOrderStore store() {
    return new PostgresOrderStore(pool);
  }

  HikariDataSource pool() {
    return pool;
  }

  TestDatabase migrate() {
    dev.orderservice.persistence.Migrations.migrate(pool);
    return this;
  }

  long count() {
    return store().count();
  }

  @Override
  public void close() {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("drop schema if exists " + schema + " cascade");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop schema " + schema, e);
    } finally {
      pool.close();
    }
  }
}
