package dev.orderservice.persistence;

import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.persistence.AuditLog.Action;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Every stored order of a customer, as NDJSON: each order's canonical JSON on a line of its own,
 * oldest {@code date_created} first, read through a cursor ({@value #FETCH_ROWS} rows at a time)
 * and written as it is read, so memory stays the same for any number of orders (an access request,
 * GDPR article 15). Each export is recorded in the {@link AuditLog} under the customer's pseudonym.
 * Thread safe.
 */
public final class CustomerExport {

  static final int FETCH_ROWS = 200;

  private static final String ORDERS_OF =
      "select order_uid, canonical_json from orders where customer_id = ?"
          + " order by created_at, id";

  private final DataSource dataSource;
  private final PostgresOrderStore store;

  public CustomerExport(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.store = new PostgresOrderStore(dataSource);
  }

  /**
   * Whether the customer has any stored order: a caller answers 404 before it starts a response.
   */
  public boolean hasOrders(String customerId) {
    Objects.requireNonNull(customerId, "customerId");
    return StoreFailures.call(
        "look up a customer",
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement select =
                  c.prepareStatement("select 1 from orders where customer_id = ? limit 1")) {
            select.setString(1, customerId);
            try (ResultSet row = select.executeQuery()) {
              return row.next();
            }
          }
        });
  }

  /**
   * Writes every stored order of the customer to {@code out}, one line each, and records the
   * export. Does not close {@code out}.
   *
   * @param origin the route or command that asks, for the audit log
   * @return how many orders it wrote
   * @throws OrderStoreException if the database failed
   * @throws UncheckedIOException if {@code out} failed (the client went away); nothing is recorded
   */
  public long export(String customerId, OutputStream out, String origin) {
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(out, "out");
    return StoreFailures.call(
        "export the orders of a customer",
        () -> {
          try (Connection c = dataSource.getConnection()) {
            long written = write(c, customerId, out);
            String pseudonym = PseudonymKey.of(c).pseudonym(customerId);
            AuditLog.record(
                c, Action.EXPORT_CUSTOMER, pseudonym, written, origin, "exported as NDJSON");
            return written;
          }
        });
  }

  private long write(Connection c, String customerId, OutputStream out) throws SQLException {
    long written = 0;
    boolean autoCommit = c.getAutoCommit();
    // A cursor needs a transaction: without one pgjdbc reads every row first.
    c.setAutoCommit(false);
    try (PreparedStatement select = c.prepareStatement(ORDERS_OF)) {
      select.setFetchSize(FETCH_ROWS);
      select.setString(1, customerId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          byte[] json = rows.getBytes(2);
          if (json == null) {
            json = store.findJson(rows.getString(1)).orElse(null);
          }
          if (json != null) {
            out.write(json);
            out.write('\n');
            written++;
          }
        }
      }
      out.flush();
      c.commit();
    } catch (IOException e) {
      c.rollback();
      throw new UncheckedIOException(e);
    } finally {
      c.setAutoCommit(autoCommit);
    }
    return written;
  }
}
