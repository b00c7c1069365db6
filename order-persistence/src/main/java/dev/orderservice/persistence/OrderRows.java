package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.DELIVERY;
import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;
import static dev.orderservice.persistence.jooq.Tables.PAYMENT;

import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.persistence.OrderColumns.Deliveries;
import dev.orderservice.persistence.OrderColumns.Header;
import dev.orderservice.persistence.OrderColumns.Items;
import dev.orderservice.persistence.OrderColumns.Payments;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectOnConditionStep;

/**
 * Reads whole orders in one query: a row per item (or one row for an order without items) with the
 * order's header, delivery and payment repeated, which {@link Assembler} folds back into orders.
 * Callers order the rows by order, then {@code items.position}, so that an order's rows are
 * adjacent and its items come back in their original order.
 *
 * <p>Rows are read from the JDBC result set by position rather than as jOOQ records: building a
 * record of 40 fields for every item row was most of the client's time in {@code streamAll}. The
 * select is the columns of {@link OrderColumns}' records one after the other, and each record's
 * reader reads its columns where their descriptions place them, from where its columns start.
 */
final class OrderRows {

  /** JDBC (1-based) positions of each record's first column in {@link #select}. */
  private static final int HEADER_AT = 1;

  private static final int DELIVERY_AT = HEADER_AT + Header.COLUMNS.size();
  private static final int PAYMENT_AT = DELIVERY_AT + Deliveries.COLUMNS.size();

  /** {@code items.position}: null when an order has no items (the left join found none). */
  private static final int POSITION_AT = PAYMENT_AT + Payments.COLUMNS.size();

  private static final int ITEM_AT = POSITION_AT + 1;

  private static final List<Field<?>> SELECTED =
      Stream.of(
              Header.COLUMNS.fields(),
              Deliveries.COLUMNS.fields(),
              Payments.COLUMNS.fields(),
              List.<Field<?>>of(OrderColumns.POSITION.field()),
              Items.COLUMNS.fields())
          .flatMap(List::stream)
          .toList();

  private OrderRows() {}

  /** The rows of every order; callers add {@code where} and {@code order by}. */
  static SelectOnConditionStep<Record> select(DSLContext db) {
    return db.select(SELECTED)
        .from(ORDERS)
        .join(DELIVERY)
        .on(DELIVERY.ORDER_UID.eq(ORDERS.ORDER_UID))
        .join(PAYMENT)
        .on(PAYMENT.ORDER_UID.eq(ORDERS.ORDER_UID))
        .leftJoin(ITEMS)
        .on(ITEMS.ORDER_UID.eq(ORDERS.ORDER_UID));
  }

  /**
   * Folds adjacent rows of the same order into one {@link Order}, handing each complete order to a
   * sink. Holds one order at a time, so memory stays constant however many rows stream through.
   */
  static final class Assembler {
    private final Consumer<Order> sink;
    private Order current;
    private List<Item> items = new ArrayList<>();
    private long assembled;

    Assembler(Consumer<Order> sink) {
      this.sink = sink;
    }

    /**
     * Folds every remaining row of {@code rows}; an order whose rows continue in the next result
     * set (the next fetch of a cursor) is completed by the next call.
     *
     * @return how many rows were read
     */
    int read(ResultSet rows) throws SQLException {
      int read = 0;
      while (rows.next()) {
        accept(rows);
        read++;
      }
      return read;
    }

    /** Hands over the last order; returns how many orders were assembled in all. */
    long finish() {
      if (current != null) {
        emit();
      }
      return assembled;
    }

    private void accept(ResultSet row) throws SQLException {
      if (current != null && !current.orderUid().equals(Header.ORDER_UID.get(row, HEADER_AT))) {
        emit();
      }
      if (current == null) {
        current =
            Header.read(
                row, HEADER_AT, Deliveries.read(row, DELIVERY_AT), Payments.read(row, PAYMENT_AT));
      }
      row.getInt(POSITION_AT);
      if (!row.wasNull()) {
        items.add(Items.read(row, ITEM_AT));
      }
    }

    private void emit() {
      Order order = current.withItems(items);
      current = null;
      items = new ArrayList<>();
      assembled++;
      sink.accept(order);
    }
  }
}
