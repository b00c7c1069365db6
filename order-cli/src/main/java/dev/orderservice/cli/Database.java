package dev.orderservice.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresRefusal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** The CLI's connection to PostgreSQL: a pool of two, the schema brought up to date if asked. */
final class Database {

  private Database() {}

  /**
   * A pool on {@code --db}; the caller closes it.
   *
   * @param migrate whether to apply the migrations first, so that a fresh database works
   * @throws CliException if PostgreSQL refuses the password, the role or the TLS connection (one
   *     sentence saying which)
   * @throws dev.orderservice.domain.OrderStoreException if the database is unreachable (migrate)
   */
  static HikariDataSource open(OrderCli cli, boolean migrate) {
    String url = cli.jdbcUrl();
    requireAccepted(url);
    HikariDataSource pool = OrderDatabase.pool(url, 2, "order-cli");
    if (migrate) {
      try {
        Migrations.migrate(pool);
      } catch (RuntimeException e) {
        pool.close();
        throw e;
      }
    }
    return pool;
  }

  /**
   * One connection of our own first: the pool would only say that none was available in time, where
   * pgjdbc says that the password or the certificate was refused. Other failures (an unreachable
   * server) are left to the pool, which reports them as before.
   */
  private static void requireAccepted(String url) {
    Properties quick = new Properties();
    quick.setProperty("connectTimeout", "5"); // unless the DSN says otherwise
    try (Connection connection = DriverManager.getConnection(url, quick)) {
      // accepted
    } catch (SQLException e) {
      PostgresRefusal.of(e, url)
          .ifPresent(
              refusal -> {
                throw new CliException(refusal.message(), e);
              });
    }
  }
}
