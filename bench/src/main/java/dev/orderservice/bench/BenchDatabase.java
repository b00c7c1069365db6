package dev.orderservice.bench;

import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.persistence.PostgresDsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL a benchmark runs against: the server named by {@code BENCH_DB_DSN}, or an embedded
 * one started for the run. Each benchmark gets fresh databases by name.
 */
final class BenchDatabase implements AutoCloseable {

  private final Optional<EmbeddedPostgres> embedded;
  private final String adminUrl;

  private BenchDatabase(Optional<EmbeddedPostgres> embedded, String adminUrl) {
    this.embedded = embedded;
    this.adminUrl = adminUrl;
  }

  static BenchDatabase start() {
    return start(Map.of());
  }

  /**
   * @param settings server settings for the embedded PostgreSQL ({@code -c name=value}); an
   *     external one is used as it is configured
   */
  static BenchDatabase start(Map<String, String> settings) {
    String dsn = System.getenv("BENCH_DB_DSN");
    if (dsn != null && !dsn.isBlank()) {
      System.err.println("PostgreSQL: external, from BENCH_DB_DSN");
      return new BenchDatabase(Optional.empty(), PostgresDsn.toJdbcUrl(dsn));
    }
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().settings(settings).build();
    postgres.start();
    System.err.println("PostgreSQL: embedded, " + postgres);
    return new BenchDatabase(
        Optional.of(postgres), postgres.jdbcUrl() + "?user=" + postgres.user());
  }

  /** A JDBC URL (with credentials) of a new, empty database called {@code name}. */
  String freshDatabase(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name);
    }
    return withDatabase(adminUrl, name);
  }

  /** Replaces the database of a JDBC URL, keeping host, port and parameters. */
  private static String withDatabase(String jdbcUrl, String database) {
    int query = jdbcUrl.indexOf('?');
    String base = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    String params = query < 0 ? "" : jdbcUrl.substring(query);
    return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
  }

  @Override
  public void close() {
    embedded.ifPresent(EmbeddedPostgres::close);
  }
}
