package dev.orderservice.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;

/** The CLI's connection to PostgreSQL: a pool of two, the schema brought up to date if asked. */
final class Database {

  private Database() {}

  /**
   * A pool on {@code --db}; the caller closes it.
   *
   * @param migrate whether to apply the migrations first, so that a fresh database works
   * @throws dev.orderservice.domain.OrderStoreException if the database is unreachable (migrate)
   */
  static HikariDataSource open(OrderCli cli, boolean migrate) {
    HikariDataSource pool = OrderDatabase.pool(cli.jdbcUrl(), 2, "order-cli");
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
}
