package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.DELIVERY;
import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;
import static dev.orderservice.persistence.jooq.Tables.PAYMENT;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.Payment;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.TableField;

/**
 * Which column holds which value of an order: each column named once, next to the accessor its
 * value comes from. The writer ({@link BatchSave}) copies rows with these lists and the reader
 * ({@link OrderRows}) selects their fields in the same order, so a column added to a list is
 * written and read, and the generated field's type must match the accessor's or the code does not
 * compile.
 */
final class OrderColumns {

  /** The header of an order, its uid first; the reader builds an order's header in this order. */
  static final List<Column<Order>> HEADER =
      List.of(
          text(ORDERS.ORDER_UID, Order::orderUid),
          text(ORDERS.TRACK_NUMBER, Order::trackNumber),
          text(ORDERS.ENTRY, Order::entry),
          text(ORDERS.LOCALE, Order::locale),
          text(ORDERS.INTERNAL_SIGNATURE, Order::internalSignature),
          text(ORDERS.CUSTOMER_ID, Order::customerId),
          text(ORDERS.DELIVERY_SERVICE, Order::deliveryService),
          text(ORDERS.SHARDKEY, Order::shardkey),
          int4(ORDERS.SM_ID, Order::smId),
          text(ORDERS.DATE_CREATED, Order::dateCreated),
          text(ORDERS.OOF_SHARD, Order::oofShard));

  /** The values of a delivery, in the order of its record components. */
  static final List<Column<Delivery>> DELIVERY_VALUES =
      List.of(
          text(DELIVERY.NAME, Delivery::name),
          text(DELIVERY.PHONE, Delivery::phone),
          text(DELIVERY.ZIP, Delivery::zip),
          text(DELIVERY.CITY, Delivery::city),
          text(DELIVERY.ADDRESS, Delivery::address),
          text(DELIVERY.REGION, Delivery::region),
          text(DELIVERY.EMAIL, Delivery::email));

  /** The values of a payment, in the order of its record components. */
  static final List<Column<Payment>> PAYMENT_VALUES =
      List.of(
          text(PAYMENT.TRANSACTION, Payment::transaction),
          text(PAYMENT.REQUEST_ID, Payment::requestId),
          text(PAYMENT.CURRENCY, Payment::currency),
          text(PAYMENT.PROVIDER, Payment::provider),
          int4(PAYMENT.AMOUNT, Payment::amount),
          int8(PAYMENT.PAYMENT_DT, Payment::paymentDt),
          text(PAYMENT.BANK, Payment::bank),
          int4(PAYMENT.DELIVERY_COST, Payment::deliveryCost),
          int4(PAYMENT.GOODS_TOTAL, Payment::goodsTotal),
          int4(PAYMENT.CUSTOM_FEE, Payment::customFee));

  /** The values of an item, in the order of its record components. */
  static final List<Column<Item>> ITEM_VALUES =
      List.of(
          int8(ITEMS.CHRT_ID, Item::chrtId),
          text(ITEMS.TRACK_NUMBER, Item::trackNumber),
          int4(ITEMS.PRICE, Item::price),
          text(ITEMS.RID, Item::rid),
          text(ITEMS.NAME, Item::name),
          int4(ITEMS.SALE, Item::sale),
          text(ITEMS.SIZE, Item::size),
          int4(ITEMS.TOTAL_PRICE, Item::totalPrice),
          int8(ITEMS.NM_ID, Item::nmId),
          text(ITEMS.BRAND, Item::brand),
          int4(ITEMS.STATUS, Item::status));

  /**
   * A row of {@code orders}: the header, then what identifies the content, then the instant of
   * {@code date_created} that searches compare, then what a search shows of the order beyond its
   * header (V5: copies of its payment's amount and currency, and how many items it has).
   */
  static final TableRows<NewOrder> ORDERS_ROWS =
      new TableRows<>(
          ORDERS,
          concat(
              from(HEADER, NewOrder::order),
              List.of(
                  bytea(ORDERS.CONTENT_HASH, NewOrder::contentHash),
                  bytea(ORDERS.CANONICAL_JSON, NewOrder::canonicalJson),
                  timestamptz(ORDERS.CREATED_AT, NewOrder::createdAt),
                  int4(ORDERS.AMOUNT, o -> o.order().payment().amount()),
                  text(ORDERS.CURRENCY, o -> o.order().payment().currency()),
                  int4(ORDERS.ITEM_COUNT, o -> o.order().items().size()))));

  static final TableRows<Order> DELIVERY_ROWS =
      new TableRows<>(
          DELIVERY,
          concat(
              List.of(text(DELIVERY.ORDER_UID, Order::orderUid)),
              from(DELIVERY_VALUES, Order::delivery)));

  static final TableRows<Order> PAYMENT_ROWS =
      new TableRows<>(
          PAYMENT,
          concat(
              List.of(text(PAYMENT.ORDER_UID, Order::orderUid)),
              from(PAYMENT_VALUES, Order::payment)));

  /** A row of {@code items}; the reader takes {@code position} as the first item column. */
  static final TableRows<ItemRow> ITEMS_ROWS =
      new TableRows<>(
          ITEMS,
          concat(
              List.of(
                  text(ITEMS.ORDER_UID, ItemRow::orderUid),
                  int4(ITEMS.POSITION, ItemRow::position)),
              from(ITEM_VALUES, ItemRow::item)));

  private OrderColumns() {}

  /**
   * An order about to be inserted, with its canonical JSON, the hash of it and the instant of its
   * {@code date_created} ({@code OrderDates.instant}; null only when {@code date_created} is, which
   * the schema refuses).
   */
  record NewOrder(EncodedOrder encoded, Instant createdAt, Supplier<byte[]> hash) {
    Order order() {
      return encoded.order();
    }

    byte[] contentHash() {
      return hash.get();
    }

    byte[] canonicalJson() {
      return encoded.json();
    }
  }

  /** An item with the uid of its order and its 0-based index in the order's items. */
  record ItemRow(String orderUid, int position, Item item) {}

  /** The fields of {@code columns}, in order: a select list. */
  static List<Field<?>> fields(List<? extends Column<?>> columns) {
    return columns.stream().<Field<?>>map(Column::field).toList();
  }

  /** The columns of one table and how to write a row of it from an {@code R}. */
  record TableRows<R>(Table<?> table, List<Column<R>> columns) {

    /** {@code COPY table (columns) FROM STDIN (FORMAT binary)}, columns in list order. */
    String copySql() {
      return copySql(table.getName());
    }

    /** The same copy into another table with these columns, e.g. a temporary one. */
    String copySql(String tableName) {
      return "COPY " + tableName + " (" + columnList() + ") FROM STDIN (FORMAT binary)";
    }

    /** The quoted column names, comma separated, in list order. */
    String columnList() {
      return columns.stream()
          .map(c -> '"' + c.field().getName() + '"')
          .collect(Collectors.joining(", "));
    }

    void write(BinaryCopy copy, R row) throws SQLException {
      copy.startRow(columns.size());
      for (Column<R> column : columns) {
        column.value().write(copy, row);
      }
    }
  }

  /** A column and how its value is taken from an {@code R} and written in COPY's binary format. */
  record Column<R>(TableField<?, ?> field, Value<R> value) {

    /** This column filled from the {@code S} that {@code part} takes the {@code R} out of. */
    <S> Column<S> from(Function<S, R> part) {
      Value<R> own = value;
      return new Column<>(field, (copy, whole) -> own.write(copy, part.apply(whole)));
    }
  }

  /** Writes one field's value of a row. */
  @FunctionalInterface
  interface Value<R> {
    void write(BinaryCopy copy, R row) throws SQLException;
  }

  private static <R> Column<R> text(TableField<?, String> field, Function<R, String> value) {
    return new Column<>(field, (copy, row) -> copy.text(value.apply(row)));
  }

  private static <R> Column<R> int4(TableField<?, Integer> field, ToIntFunction<R> value) {
    return new Column<>(field, (copy, row) -> copy.int4(value.applyAsInt(row)));
  }

  private static <R> Column<R> int8(TableField<?, Long> field, ToLongFunction<R> value) {
    return new Column<>(field, (copy, row) -> copy.int8(value.applyAsLong(row)));
  }

  private static <R> Column<R> bytea(TableField<?, byte[]> field, Function<R, byte[]> value) {
    return new Column<>(field, (copy, row) -> copy.bytea(value.apply(row)));
  }

  private static <R> Column<R> timestamptz(
      TableField<?, OffsetDateTime> field, Function<R, Instant> value) {
    return new Column<>(field, (copy, row) -> copy.timestamptz(value.apply(row)));
  }

  private static <S, R> List<Column<S>> from(List<Column<R>> columns, Function<S, R> part) {
    return columns.stream().map(c -> c.from(part)).toList();
  }

  @SafeVarargs
  private static <R> List<Column<R>> concat(List<Column<R>>... lists) {
    List<Column<R>> all = new ArrayList<>();
    for (List<Column<R>> list : lists) {
      all.addAll(list);
    }
    return List.copyOf(all);
  }
}
