package dev.orderservice.persistence;

import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.persistence.AuditLog.Action;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Erases the personal data of orders (README "Personal data"): of given orders, or of every order
 * of a customer, {@value ErasureBatch#MAX_ORDERS} orders a transaction ({@link ErasureBatch}); each
 * call is recorded in the {@link AuditLog}. Every instance hears of the erased orders through
 * PostgreSQL ({@link StoredOrdersListener.Listener#erased}) and drops them from its cache.
 *
 * <p>An erasure racing an ingest of the same uid leaves either the erased order or none: the rows
 * are locked before they are read, and an order stored after the lock is not one the erasure saw. A
 * customer's erasure covers the orders stored when it began; orders stored while it runs stay as
 * they are. Thread safe.
 */
public final class OrderErasure {

  private static final String CUSTOMER_ORDERS =
      "select order_uid from orders where customer_id = ? and erased_at is null";

  private final DataSource dataSource;

  public OrderErasure(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * What an erasure did.
   *
   * @param erased the orders it erased
   * @param alreadyErased how many of the orders had been erased before
   * @param notFound the uids asked for that are not stored (none for a customer's erasure)
   * @param subject the order's uid or the customer's pseudonym, as the audit log names it
   */
  public record Result(
      List<String> erased, long alreadyErased, List<String> notFound, String subject) {

    /** Whether nothing asked for is stored. */
    public boolean nothingFound() {
      return erased.isEmpty() && alreadyErased == 0;
    }
  }

  /**
   * Erases the given orders.
   *
   * @param origin the route or command that asks, for the audit log
   * @throws OrderStoreException if the database failed; the batches done before stay erased
   */
  public Result eraseOrders(Collection<String> orderUids, String origin) {
    Set<String> uids = new LinkedHashSet<>(orderUids);
    if (uids.isEmpty()) {
      throw new IllegalArgumentException("no order to erase");
    }
    return StoreFailures.call(
        "erase " + uids.size() + " orders",
        () -> {
          try (Connection c = dataSource.getConnection()) {
            PersonalData personal = PseudonymKey.of(c);
            Result result = eraseAll(c, personal, new ArrayList<>(uids), uids.iterator().next());
            AuditLog.record(
                c,
                Action.ERASE_ORDER,
                uids.size() == 1 ? uids.iterator().next() : null,
                result.erased().size(),
                origin,
                describe(result, uids.size()));
            return result;
          }
        });
  }

  /**
   * Erases every order of a customer stored when it begins. A customer's pseudonym names the
   * already erased orders.
   *
   * @param origin the route or command that asks, for the audit log
   * @throws OrderStoreException if the database failed; the batches done before stay erased
   */
  public Result eraseCustomer(String customerId, String origin) {
    Objects.requireNonNull(customerId, "customerId");
    return StoreFailures.call(
        "erase the orders of a customer",
        () -> {
          try (Connection c = dataSource.getConnection()) {
            PersonalData personal = PseudonymKey.of(c);
            String pseudonym = personal.pseudonym(customerId);
            List<String> uids = customerOrders(c, customerId);
            long before = erasedOrders(c, pseudonym);
            Result erased = eraseAll(c, personal, uids, pseudonym);
            Result result =
                new Result(erased.erased(), erased.alreadyErased() + before, List.of(), pseudonym);
            AuditLog.record(
                c,
                Action.ERASE_CUSTOMER,
                pseudonym,
                result.erased().size(),
                origin,
                describe(result, uids.size()));
            return result;
          }
        });
  }

  private static Result eraseAll(
      Connection c, PersonalData personal, List<String> uids, String subject) throws SQLException {
    List<String> erased = new ArrayList<>(uids.size());
    Set<String> found = new LinkedHashSet<>();
    long alreadyErased = 0;
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      for (int from = 0; from < uids.size(); from += ErasureBatch.MAX_ORDERS) {
        List<String> batch =
            uids.subList(from, Math.min(uids.size(), from + ErasureBatch.MAX_ORDERS));
        ErasureBatch.Outcome outcome = ErasureBatch.erase(c, personal, batch);
        c.commit();
        erased.addAll(outcome.erased());
        alreadyErased += outcome.alreadyErased().size();
        found.addAll(outcome.found());
      }
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
    List<String> notFound = uids.stream().filter(uid -> !found.contains(uid)).toList();
    return new Result(erased, alreadyErased, notFound, subject);
  }

  private static List<String> customerOrders(Connection c, String customerId) throws SQLException {
    List<String> uids = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement(CUSTOMER_ORDERS)) {
      select.setString(1, customerId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          uids.add(rows.getString(1));
        }
      }
    }
    return uids;
  }

  /** How many erased orders are stored under a pseudonym. */
  private static long erasedOrders(Connection c, String pseudonym) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "select count(*) from orders where customer_id = ? and erased_at is not null")) {
      select.setString(1, pseudonym);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static String describe(Result result, int asked) {
    return "erased "
        + result.erased().size()
        + " of "
        + asked
        + " orders; "
        + result.alreadyErased()
        + " already erased, "
        + result.notFound().size()
        + " not stored";
  }
}
