package dev.orderservice.persistence;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.persistence.OrderColumns.ItemRow;
import dev.orderservice.persistence.OrderColumns.NewOrder;
import dev.orderservice.persistence.OrderColumns.TableRows;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The four tables an order is stored in ({@code orders}, {@code delivery}, {@code payment}, {@code
 * items}), written with one binary {@code COPY} each, the columns of {@link OrderColumns}: what
 * {@link PostgresOrderStore#saveAll} does with the orders it inserts. Stateless and thread safe.
 */
public final class OrderTables {

  private OrderTables() {}

  /**
   * Writes {@code orders} in the caller's transaction as {@code saveAll} writes new orders, with
   * their canonical JSON, content hash, {@code created_at} and summary, but without what {@code
   * saveAll} does around it: no lookup of stored uids, no retry, no {@code NOTIFY}. For loading
   * orders into an empty schema in bulk, e.g. the benchmark that compares {@code saveAll} with the
   * bare {@code COPY}. Blocks on the database; the caller commits or rolls back.
   *
   * @param transaction a connection with auto-commit off, into a migrated schema
   * @param orders valid orders, their uids unique and not stored yet
   * @throws SQLException if the database refused a row (a stored uid, a missing value) or failed;
   *     the transaction must then be rolled back
   * @throws IllegalArgumentException if an order's {@code date_created} is not {@linkplain
   *     OrderDates#isValid valid}
   */
  public static void copy(Connection transaction, List<EncodedOrder> orders) throws SQLException {
    Objects.requireNonNull(transaction, "transaction");
    MessageDigest sha256 = BatchSave.sha256();
    List<NewOrder> rows = new ArrayList<>(orders.size());
    for (EncodedOrder order : orders) {
      byte[] hash = sha256.digest(order.json());
      rows.add(new NewOrder(order, OrderDates.instant(order.order().dateCreated()), () -> hash));
    }
    copyRows(transaction, rows);
  }

  /** Copies the rows of {@code orders} into the four tables, in the caller's transaction. */
  static void copyRows(Connection transaction, List<NewOrder> orders) throws SQLException {
    List<Order> plain = orders.stream().map(NewOrder::order).toList();
    copy(transaction, OrderColumns.ORDERS_ROWS, orders);
    copy(transaction, OrderColumns.DELIVERY_ROWS, plain);
    copy(transaction, OrderColumns.PAYMENT_ROWS, plain);
    copy(transaction, OrderColumns.ITEMS_ROWS, itemRows(plain));
  }

  /** One {@code COPY} of {@code rows} into {@code table}; none for no rows. */
  static <R> void copy(Connection transaction, TableRows<R> table, List<R> rows)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    BinaryCopy copy = BinaryCopy.start(transaction, table.copySql());
    try {
      for (R row : rows) {
        table.write(copy, row);
      }
      copy.finish();
    } finally {
      copy.cancel();
    }
  }

  private static List<ItemRow> itemRows(List<Order> orders) {
    List<ItemRow> rows = new ArrayList<>(orders.size() * 3);
    for (Order order : orders) {
      List<Item> items = order.items();
      for (int position = 0; position < items.size(); position++) {
        rows.add(new ItemRow(order.orderUid(), position, items.get(position)));
      }
    }
    return rows;
  }
}
