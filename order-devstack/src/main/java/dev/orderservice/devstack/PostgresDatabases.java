package dev.orderservice.devstack;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server as its superuser sees it over JDBC: whether it accepts connections yet, and the
 * databases on it. Also the rules for a database's name and JDBC URL.
 *
 * <p>Immutable; safe from any thread. Each call opens its own connection and blocks for it.
 */
final class PostgresDatabases {

  /** Database that always exists in a fresh cluster; used for administrative connections. */
  static final String MAINTENANCE_DATABASE = "postgres";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final PostgresServerSettings settings;
  private final int port;

  PostgresDatabases(PostgresServerSettings settings, int port) {
    this.settings = settings;
    this.port = port;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}. */
  static String jdbcUrl(int port, String database) {
    return "jdbc:postgresql://" + Ports.LOOPBACK + ":" + port + "/" + database;
  }

  /**
   * {@code database} if it can be a database name in a JDBC URL.
   *
   * @throws IllegalArgumentException otherwise
   */
  static String requireName(String database) {
    Objects.requireNonNull(database, "database");
    if (database.isEmpty() || database.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new IllegalArgumentException("database name must be 1..63 bytes: '" + database + "'");
    }
    if (database.contains("/") || database.contains("?")) {
      throw new IllegalArgumentException("database name must not contain '/' or '?': " + database);
    }
    return database;
  }

  static String quoteIdentifier(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /**
   * Blocks until a query succeeds, for at most 30 s.
   *
   * @throws DevstackException if none does in that time (with the tail of the cluster's server log)
   */
  void awaitAcceptingConnections(PostgresCluster cluster) {
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection connection = connect(MAINTENANCE_DATABASE);
          Statement statement = connection.createStatement()) {
        statement.execute("select 1");
        return;
      } catch (SQLException e) {
        last = e;
      }
      try {
        // pg_ctl -w already waited for "ready"; this only covers the rare gap after it.
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DevstackException("interrupted while waiting for PostgreSQL", e);
      }
    }
    throw new DevstackException(
        "PostgreSQL on port "
            + port
            + " does not accept connections after "
            + CONNECT_TIMEOUT.toSeconds()
            + " s: "
            + last
            + "\n--- server log ---\n"
            + cluster.serverLogTail(0),
        last);
  }

  /**
   * Creates {@code database} unless it exists; safe against concurrent creation of the same name.
   *
   * @throws DevstackException if it cannot be created
   */
  void createIfNotExists(String database) {
    try (Connection connection = connect(MAINTENANCE_DATABASE)) {
      try (PreparedStatement exists =
          connection.prepareStatement("select 1 from pg_database where datname = ?")) {
        exists.setString(1, database);
        try (ResultSet rs = exists.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      try (Statement create = connection.createStatement()) {
        create.execute("create database " + quoteIdentifier(database));
      }
      LOG.debug("created database {}", database);
    } catch (SQLException e) {
      // 42P04 duplicate_database / 23505 unique_violation: someone else created it first.
      if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
        throw new DevstackException(
            "could not create database " + database + " on port " + port + ": " + e.getMessage(),
            e);
      }
    }
  }

  /**
   * Creates the login role {@code role} with {@code password}, or sets the password of an existing
   * one; the password is stored as scram-sha-256.
   *
   * @throws DevstackException if that fails (the message never holds the password)
   */
  void loginRole(String role, String password) {
    String literal = "'" + password.replace("'", "''") + "'";
    try (Connection connection = connect(MAINTENANCE_DATABASE);
        Statement statement = connection.createStatement()) {
      statement.execute("set password_encryption = 'scram-sha-256'");
      boolean exists;
      try (PreparedStatement find =
          connection.prepareStatement("select 1 from pg_roles where rolname = ?")) {
        find.setString(1, role);
        try (ResultSet rs = find.executeQuery()) {
          exists = rs.next();
        }
      }
      statement.execute(
          (exists ? "alter role " : "create role ")
              + quoteIdentifier(role)
              + " with login password "
              + literal);
    } catch (SQLException e) {
      throw new DevstackException(
          "could not set up login role " + role + " on port " + port + ": " + e.getSQLState(), e);
    }
  }

  private Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(port, database), settings.connectionProperties());
  }
}
