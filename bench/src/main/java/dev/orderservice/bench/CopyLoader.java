package dev.orderservice.bench;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.persistence.OrderTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The yardstick of the write benchmarks: loads orders into the four tables of the schema (orders
 * with its canonical JSON, content hash, the instant of its date_created and the summary, delivery,
 * payment, items) with PostgreSQL {@code COPY} in its binary format, the fastest way into a table,
 * in one transaction and one {@code COPY} per table, with the store's own columns and writer
 * ({@link OrderTables#copy}) but nothing of what {@code saveAll} does around them. Foreign keys are
 * checked as for any writer. Expects a migrated, empty database; blocks until the load is
 * committed.
 */
final class CopyLoader {

  private CopyLoader() {}

  /**
   * Loads {@code orders} with {@code COPY} and commits.
   *
   * @return orders per second, from taking the connection to the commit
   */
  static double load(DataSource db, List<EncodedOrder> orders) throws SQLException {
    Stopwatch watch = Stopwatch.start();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      OrderTables.copy(c, orders);
      c.commit();
    }
    return watch.perSecond(orders.size());
  }
}
