package dev.orderservice.persistence;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.SharedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.UUID;

/**
 * A schema of its own on the test PostgreSQL (the shared embedded one, or the server named by
 * TEST_DB_DSN), with a small pool whose connections use it as their current schema. Migrations and
 * the store then work in it as in an empty database, even when the database is shared. Closing
 * drops the schema and closes the pool.
 */
final class TestSchema implements AutoCloseable {

  private final String name;
  private final HikariDataSource pool;

  private TestSchema(String name, HikariDataSource pool) {
    this.name = name;
    this.pool = pool;
  }

  /** A schema that does not exist yet; Flyway creates it on the first migration. */
  static TestSchema fresh(String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = SharedPostgres.jdbcUrlForTests("order_persistence_tests");
    url += (url.contains("?") ? "&" : "?") + "currentSchema=" + name;
    return new TestSchema(name, OrderDatabase.pool(url, null, null, 4, "test-" + name));
  }

  /** A fresh schema, migrated. */
  static TestSchema migrated(String prefix) {
    TestSchema schema = fresh(prefix);
    Migrations.migrate(schema.dataSource());
    return schema;
  }

  String name() {
    return name;
  }

  HikariDataSource dataSource() {
    return pool;
  }

  void execute(String sql) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** How many rows of {@code table} belong to any of {@code orderUids}. */
  long rowsOf(String table, Collection<String> orderUids) {
    String sql = "select count(*) from " + table + " where order_uid = any(?)";
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setArray(1, c.createArrayOf("text", orderUids.toArray()));
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** How many rows {@code table} has. */
  long rows(String table) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select count(*) from " + table)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(table, e);
    }
  }

  @Override
  public void close() {
    try {
      execute("drop schema if exists " + name + " cascade");
    } finally {
      pool.close();
    }
  }
}
