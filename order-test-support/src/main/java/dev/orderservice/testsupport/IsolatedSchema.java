package dev.orderservice.testsupport;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * A schema of its own on the test PostgreSQL, with a small pool whose connections use it as their
 * current schema. Migrations, stores and runners then work in it as in an empty database, even when
 * the database is shared. Made by {@link SharedDatabase#newSchema}; the schema itself is created by
 * the first migration through it ({@link #migrate}, or the code under test).
 *
 * <p>Thread safe as far as its pool is. Closing drops the schema and closes the pool.
 */
public final class IsolatedSchema implements AutoCloseable {

  /** The size of the schema's own pool: enough for a test and the code it drives. */
  private static final int POOL_SIZE = 4;

  /** The size of the pools {@link #pool(String)} opens. */
  private static final int OTHER_POOL_SIZE = 2;

  /**
   * Opens a pool over a JDBC URL: the caller's own factory ({@code OrderDatabase::pool}), so that
   * tests run on the pools the code under test makes.
   */
  @FunctionalInterface
  public interface Pools {
    HikariDataSource open(String jdbcUrl, int maxSize, String poolName);
  }

  private final String name;
  private final String url;
  private final Pools pools;
  private final HikariDataSource pool;

  IsolatedSchema(String name, String url, Pools pools) {
    this.name = name;
    this.url = url;
    this.pools = Objects.requireNonNull(pools, "pools");
    this.pool = pools.open(url, POOL_SIZE, "test-" + name);
  }

  /** {@code jdbcUrl} with {@code schema} as the current schema of its connections. */
  static String inSchema(String jdbcUrl, String schema) {
    return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /**
   * Applies {@code migration} ({@code Migrations::migrate}) to this schema's pool.
   *
   * @return this schema
   */
  public IsolatedSchema migrate(Consumer<? super DataSource> migration) {
    migration.accept(pool);
    return this;
  }

  public String name() {
    return name;
  }

  /** The JDBC URL of this schema's connections (user and current schema included). */
  public String jdbcUrl() {
    return url;
  }

  public HikariDataSource dataSource() {
    return pool;
  }

  /**
   * Another pool of connections to this schema, whose JDBC URL has {@code parameters} added, e.g.
   * {@code "options=-c%20lock_timeout=300"}. The caller closes it.
   */
  public HikariDataSource pool(String parameters) {
    return pools.open(url + "&" + parameters, OTHER_POOL_SIZE, "test-" + name + "-other");
  }

  /**
   * Runs one SQL statement on a connection of the pool.
   *
   * @throws IllegalStateException if it fails
   */
  public void execute(String sql) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** How many rows {@code table} has. */
  public long rows(String table) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select count(*) from " + table)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(table, e);
    }
  }

  /** Drops the schema and everything in it, then closes the pool. */
  @Override
  public void close() {
    try {
      execute("drop schema if exists " + name + " cascade");
    } finally {
      pool.close();
    }
  }
}
