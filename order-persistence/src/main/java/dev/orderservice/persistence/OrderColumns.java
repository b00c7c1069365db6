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
import dev.orderservice.persistence.RecordColumns.Int4;
import dev.orderservice.persistence.RecordColumns.Int8;
import dev.orderservice.persistence.RecordColumns.Text;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;

/**
 * Which column holds which value of an order, each column named once, next to the accessor its
 * value comes from and, for the columns an order is read back from, next to the constructor its
 * value goes into. The writer ({@link BatchSave}) copies rows with these lists; the reader ({@link
 * OrderRows}) selects the same columns and reads each where its description says ({@link
 * RecordColumns}); the summary's copies ({@link SummaryCopies}) serve the writer, the reader of
 * summaries ({@link OrderSummaries}) and the backfill ({@link Backfill}) alike.
 */
final class OrderColumns {

  private OrderColumns() {}

  /** The header of an order: its own values on {@code orders}, its uid first. */
  static final class Header {
    static final RecordColumns<Order> COLUMNS = new RecordColumns<>();
    static final Text<Order> ORDER_UID = COLUMNS.text(ORDERS.ORDER_UID, Order::orderUid);
    static final Text<Order> TRACK_NUMBER = COLUMNS.text(ORDERS.TRACK_NUMBER, Order::trackNumber);
    static final Text<Order> ENTRY = COLUMNS.text(ORDERS.ENTRY, Order::entry);
    static final Text<Order> LOCALE = COLUMNS.text(ORDERS.LOCALE, Order::locale);
    static final Text<Order> INTERNAL_SIGNATURE =
        COLUMNS.text(ORDERS.INTERNAL_SIGNATURE, Order::internalSignature);
    static final Text<Order> CUSTOMER_ID = COLUMNS.text(ORDERS.CUSTOMER_ID, Order::customerId);
    static final Text<Order> DELIVERY_SERVICE =
        COLUMNS.text(ORDERS.DELIVERY_SERVICE, Order::deliveryService);
    static final Text<Order> SHARDKEY = COLUMNS.text(ORDERS.SHARDKEY, Order::shardkey);
    static final Int4<Order> SM_ID = COLUMNS.int4(ORDERS.SM_ID, Order::smId);
    static final Text<Order> DATE_CREATED = COLUMNS.text(ORDERS.DATE_CREATED, Order::dateCreated);
    static final Text<Order> OOF_SHARD = COLUMNS.text(ORDERS.OOF_SHARD, Order::oofShard);

    private Header() {}

    /** The order on the current row, header columns from {@code first}, without its items yet. */
    static Order read(ResultSet row, int first, Delivery delivery, Payment payment)
        throws SQLException {
      return new Order(
          ORDER_UID.get(row, first),
          TRACK_NUMBER.get(row, first),
          ENTRY.get(row, first),
          delivery,
          payment,
          List.of(),
          LOCALE.get(row, first),
          INTERNAL_SIGNATURE.get(row, first),
          CUSTOMER_ID.get(row, first),
          DELIVERY_SERVICE.get(row, first),
          SHARDKEY.get(row, first),
          SM_ID.get(row, first),
          DATE_CREATED.get(row, first),
          OOF_SHARD.get(row, first));
    }
  }

  /** The values of a delivery on {@code delivery}. */
  static final class Deliveries {
    static final RecordColumns<Delivery> COLUMNS = new RecordColumns<>();
    static final Text<Delivery> NAME = COLUMNS.text(DELIVERY.NAME, Delivery::name);
    static final Text<Delivery> PHONE = COLUMNS.text(DELIVERY.PHONE, Delivery::phone);
    static final Text<Delivery> ZIP = COLUMNS.text(DELIVERY.ZIP, Delivery::zip);
    static final Text<Delivery> CITY = COLUMNS.text(DELIVERY.CITY, Delivery::city);
    static final Text<Delivery> ADDRESS = COLUMNS.text(DELIVERY.ADDRESS, Delivery::address);
    static final Text<Delivery> REGION = COLUMNS.text(DELIVERY.REGION, Delivery::region);
    static final Text<Delivery> EMAIL = COLUMNS.text(DELIVERY.EMAIL, Delivery::email);

    private Deliveries() {}

    /** The delivery on the current row, its columns from {@code first}. */
    static Delivery read(ResultSet row, int first) throws SQLException {
      return new Delivery(
          NAME.get(row, first),
          PHONE.get(row, first),
          ZIP.get(row, first),
          CITY.get(row, first),
          ADDRESS.get(row, first),
          REGION.get(row, first),
          EMAIL.get(row, first));
    }
  }

  /** The values of a payment on {@code payment}. */
  static final class Payments {
    static final RecordColumns<Payment> COLUMNS = new RecordColumns<>();
    static final Text<Payment> TRANSACTION =
        COLUMNS.text(PAYMENT.TRANSACTION, Payment::transaction);
    static final Text<Payment> REQUEST_ID = COLUMNS.text(PAYMENT.REQUEST_ID, Payment::requestId);
    static final Text<Payment> CURRENCY = COLUMNS.text(PAYMENT.CURRENCY, Payment::currency);
    static final Text<Payment> PROVIDER = COLUMNS.text(PAYMENT.PROVIDER, Payment::provider);
    static final Int4<Payment> AMOUNT = COLUMNS.int4(PAYMENT.AMOUNT, Payment::amount);
    static final Int8<Payment> PAYMENT_DT = COLUMNS.int8(PAYMENT.PAYMENT_DT, Payment::paymentDt);
    static final Text<Payment> BANK = COLUMNS.text(PAYMENT.BANK, Payment::bank);
    static final Int4<Payment> DELIVERY_COST =
        COLUMNS.int4(PAYMENT.DELIVERY_COST, Payment::deliveryCost);
    static final Int4<Payment> GOODS_TOTAL = COLUMNS.int4(PAYMENT.GOODS_TOTAL, Payment::goodsTotal);
    static final Int4<Payment> CUSTOM_FEE = COLUMNS.int4(PAYMENT.CUSTOM_FEE, Payment::customFee);

    private Payments() {}

    /** The payment on the current row, its columns from {@code first}. */
    static Payment read(ResultSet row, int first) throws SQLException {
      return new Payment(
          TRANSACTION.get(row, first),
          REQUEST_ID.get(row, first),
          CURRENCY.get(row, first),
          PROVIDER.get(row, first),
          AMOUNT.get(row, first),
          PAYMENT_DT.get(row, first),
          BANK.get(row, first),
          DELIVERY_COST.get(row, first),
          GOODS_TOTAL.get(row, first),
          CUSTOM_FEE.get(row, first));
    }
  }

  /** The values of an item on {@code items}, beside its order's uid and its position. */
  static final class Items {
    static final RecordColumns<Item> COLUMNS = new RecordColumns<>();
    static final Int8<Item> CHRT_ID = COLUMNS.int8(ITEMS.CHRT_ID, Item::chrtId);
    static final Text<Item> TRACK_NUMBER = COLUMNS.text(ITEMS.TRACK_NUMBER, Item::trackNumber);
    static final Int4<Item> PRICE = COLUMNS.int4(ITEMS.PRICE, Item::price);
    static final Text<Item> RID = COLUMNS.text(ITEMS.RID, Item::rid);
    static final Text<Item> NAME = COLUMNS.text(ITEMS.NAME, Item::name);
    static final Int4<Item> SALE = COLUMNS.int4(ITEMS.SALE, Item::sale);
    static final Text<Item> SIZE = COLUMNS.text(ITEMS.SIZE, Item::size);
    static final Int4<Item> TOTAL_PRICE = COLUMNS.int4(ITEMS.TOTAL_PRICE, Item::totalPrice);
    static final Int8<Item> NM_ID = COLUMNS.int8(ITEMS.NM_ID, Item::nmId);
    static final Text<Item> BRAND = COLUMNS.text(ITEMS.BRAND, Item::brand);
    static final Int4<Item> STATUS = COLUMNS.int4(ITEMS.STATUS, Item::status);

    private Items() {}

    /** The item on the current row, its columns from {@code first}. */
    static Item read(ResultSet row, int first) throws SQLException {
      return new Item(
          CHRT_ID.get(row, first),
          TRACK_NUMBER.get(row, first),
          PRICE.get(row, first),
          RID.get(row, first),
          NAME.get(row, first),
          SALE.get(row, first),
          SIZE.get(row, first),
          TOTAL_PRICE.get(row, first),
          NM_ID.get(row, first),
          BRAND.get(row, first),
          STATUS.get(row, first));
    }
  }

  /**
   * What a summary shows beyond the header, copied onto {@code orders} by V5 so that a page of a
   * search is read from one index: each copy is written with the order, and where a row lacks it
   * (stored before V5, or by an earlier release during a rolling upgrade, until the backfill fills
   * it) its original, in {@code payment} or {@code items}, is read instead and filled in.
   */
  static final class SummaryCopies {
    static final SummaryCopy<Integer> AMOUNT =
        new SummaryCopy<>(
            ORDERS.AMOUNT,
            Column.int4(ORDERS.AMOUNT, o -> o.payment().amount()),
            paymentValue(PAYMENT.AMOUNT));
    static final SummaryCopy<String> CURRENCY =
        new SummaryCopy<>(
            ORDERS.CURRENCY,
            Column.text(ORDERS.CURRENCY, o -> o.payment().currency()),
            paymentValue(PAYMENT.CURRENCY));

    /** The last copy filled; the backfill looks for the rows that lack it (V6 indexes them). */
    static final SummaryCopy<Integer> ITEM_COUNT =
        new SummaryCopy<>(
            ORDERS.ITEM_COUNT,
            Column.int4(ORDERS.ITEM_COUNT, o -> o.items().size()),
            DSL.field(DSL.selectCount().from(ITEMS).where(ITEMS.ORDER_UID.eq(ORDERS.ORDER_UID))));

    static final List<SummaryCopy<?>> ALL = List.of(AMOUNT, CURRENCY, ITEM_COUNT);

    private SummaryCopies() {}

    private static <T> Field<T> paymentValue(Field<T> original) {
      return DSL.field(
          DSL.select(original).from(PAYMENT).where(PAYMENT.ORDER_UID.eq(ORDERS.ORDER_UID)));
    }
  }

  /**
   * A copy on {@code orders} of a value the order holds elsewhere.
   *
   * @param field the copy
   * @param column how the copy is written from the order
   * @param original the value it copies, for the row being read or filled
   */
  record SummaryCopy<T>(TableField<?, T> field, Column<Order> column, Field<T> original) {

    /** The copy, or the original where the row has none: a select item named like the copy. */
    Field<T> orOriginal() {
      return DSL.coalesce(field, original).as(field.getName());
    }
  }

  /** The position of an item in its order's items; the reader takes it as the first item column. */
  static final Column<ItemRow> POSITION = Column.int4(ITEMS.POSITION, ItemRow::position);

  /**
   * A row of {@code orders}: the header, then what identifies the content, then the instant of
   * {@code date_created} that searches compare, then the summary's copies.
   */
  static final TableRows<NewOrder> ORDERS_ROWS =
      new TableRows<>(
          ORDERS,
          Column.concat(
              Column.from(Header.COLUMNS.columns(), NewOrder::order),
              List.of(
                  Column.bytea(ORDERS.CONTENT_HASH, NewOrder::contentHash),
                  Column.bytea(ORDERS.CANONICAL_JSON, NewOrder::canonicalJson),
                  Column.timestamptz(ORDERS.CREATED_AT, NewOrder::createdAt)),
              Column.from(
                  SummaryCopies.ALL.stream().map(SummaryCopy::column).toList(), NewOrder::order)));

  static final TableRows<Order> DELIVERY_ROWS =
      new TableRows<>(
          DELIVERY,
          Column.concat(
              List.of(Column.text(DELIVERY.ORDER_UID, Order::orderUid)),
              Column.from(Deliveries.COLUMNS.columns(), Order::delivery)));

  static final TableRows<Order> PAYMENT_ROWS =
      new TableRows<>(
          PAYMENT,
          Column.concat(
              List.of(Column.text(PAYMENT.ORDER_UID, Order::orderUid)),
              Column.from(Payments.COLUMNS.columns(), Order::payment)));

  static final TableRows<ItemRow> ITEMS_ROWS =
      new TableRows<>(
          ITEMS,
          Column.concat(
              List.of(Column.text(ITEMS.ORDER_UID, ItemRow::orderUid), POSITION),
              Column.from(Items.COLUMNS.columns(), ItemRow::item)));

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

  /** The columns of one table and how to write a row of it from an {@code R}. */
  record TableRows<R>(Table<?> table, List<Column<R>> columns) {

    /** {@code COPY table (columns) FROM STDIN (FORMAT binary)}, columns in list order. */
    String copySql() {
      return "COPY "
          + table.getName()
          + " ("
          + columns.stream()
              .map(c -> '"' + c.field().getName() + '"')
              .collect(Collectors.joining(", "))
          + ") FROM STDIN (FORMAT binary)";
    }

    void write(BinaryCopy copy, R row) throws SQLException {
      copy.startRow(columns.size());
      for (Column<R> column : columns) {
        column.value().write(copy, row);
      }
    }
  }
}
