package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.DELIVERY;
import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;
import static dev.orderservice.persistence.jooq.Tables.PAYMENT;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.Payment;
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
 * column lists below fix the positions; each reader reads its list's columns in list order.
 */
final class OrderRows {

  private static final List<Field<?>> HEADER = OrderColumns.fields(OrderColumns.HEADER);
  private static final List<Field<?>> DELIVERY_COLUMNS =
      OrderColumns.fields(OrderColumns.DELIVERY_VALUES);
  private static final List<Field<?>> PAYMENT_COLUMNS =
      OrderColumns.fields(OrderColumns.PAYMENT_VALUES);

  /** {@code position} first: null when an order has no items (the left join found none). */
  private static final List<Field<?>> ITEM_COLUMNS =
      Stream.concat(
              Stream.of(ITEMS.POSITION), OrderColumns.fields(OrderColumns.ITEM_VALUES).stream())
          .toList();

  /** JDBC (1-based) positions of each list's first column. */
  private static final int HEADER_AT = 1;

  private static final int DELIVERY_AT = HEADER_AT + HEADER.size();
  private static final int PAYMENT_AT = DELIVERY_AT + DELIVERY_COLUMNS.size();
  private static final int ITEM_AT = PAYMENT_AT + PAYMENT_COLUMNS.size();

  private OrderRows() {}

  /** The rows of every order; callers add {@code where} and {@code order by}. */
  static SelectOnConditionStep<Record> select(DSLContext db) {
    return db.select(
            Stream.of(HEADER, DELIVERY_COLUMNS, PAYMENT_COLUMNS, ITEM_COLUMNS)
                .flatMap(List::stream)
                .toList())
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
      if (current != null && !current.orderUid().equals(row.getString(HEADER_AT))) {
        emit();
      }
      if (current == null) {
        current = orderWithoutItems(row);
      }
      row.getInt(ITEM_AT);
      if (!row.wasNull()) {
        items.add(item(row));
      }
    }

    private void emit() {
      Order order = withItems(current, items);
      current = null;
      items = new ArrayList<>();
      assembled++;
      sink.accept(order);
    }
  }

  private static Order orderWithoutItems(ResultSet r) throws SQLException {
    int c = HEADER_AT;
    String orderUid = r.getString(c++);
    String trackNumber = r.getString(c++);
    String entry = r.getString(c++);
    String locale = r.getString(c++);
    String internalSignature = r.getString(c++);
    String customerId = r.getString(c++);
    String deliveryService = r.getString(c++);
    String shardkey = r.getString(c++);
    int smId = r.getInt(c++);
    String dateCreated = r.getString(c++);
    String oofShard = r.getString(c);
    return new Order(
        orderUid,
        trackNumber,
        entry,
        delivery(r),
        payment(r),
        List.of(),
        locale,
        internalSignature,
        customerId,
        deliveryService,
        shardkey,
        smId,
        dateCreated,
        oofShard);
  }

  private static Order withItems(Order o, List<Item> items) {
    return new Order(
        o.orderUid(),
        o.trackNumber(),
        o.entry(),
        o.delivery(),
        o.payment(),
        items,
        o.locale(),
        o.internalSignature(),
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        o.smId(),
        o.dateCreated(),
        o.oofShard());
  }

  private static Delivery delivery(ResultSet r) throws SQLException {
    int c = DELIVERY_AT;
    return new Delivery(
        r.getString(c++),
        r.getString(c++),
        r.getString(c++),
        r.getString(c++),
        r.getString(c++),
        r.getString(c++),
        r.getString(c));
  }

  private static Payment payment(ResultSet r) throws SQLException {
    int c = PAYMENT_AT;
    return new Payment(
        r.getString(c++),
        r.getString(c++),
        r.getString(c++),
        r.getString(c++),
        r.getInt(c++),
        r.getLong(c++),
        r.getString(c++),
        r.getInt(c++),
        r.getInt(c++),
        r.getInt(c));
  }

  /** The item of a row whose {@code position} (the first item column) is not null. */
  private static Item item(ResultSet r) throws SQLException {
    int c = ITEM_AT + 1;
    return new Item(
        r.getLong(c++),
        r.getString(c++),
        r.getInt(c++),
        r.getString(c++),
        r.getString(c++),
        r.getInt(c++),
        r.getString(c++),
        r.getInt(c++),
        r.getLong(c++),
        r.getString(c++),
        r.getInt(c));
  }
}
