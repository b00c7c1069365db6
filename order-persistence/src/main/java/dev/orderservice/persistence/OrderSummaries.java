package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;
import static dev.orderservice.persistence.jooq.Tables.PAYMENT;

import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderSummary;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectOnConditionStep;
import org.jooq.impl.DSL;

/**
 * Reads {@link OrderSummary summaries} of stored orders: the order's header, its payment's amount
 * and currency, and how many items it has, counted in {@code items}' primary key (a few index
 * entries per order, read index-only once VACUUM has marked the table's pages all-visible; cheap
 * for the page or two a caller reads at a time). One query for searches ({@link
 * PostgresOrderStore#search}) and for the listener ({@link StoredOrdersListener}), so both show an
 * order alike.
 */
final class OrderSummaries {

  /**
   * The earliest and latest instants a {@code timestamptz} holds (4714-11-24 BC, 294276 AD): bounds
   * and positions beyond them are moved to them, so that a query never fails on an instant a client
   * sent, and means the same (every stored instant lies within).
   */
  private static final Instant EARLIEST = Instant.parse("-4713-11-24T00:00:00Z");

  private static final Instant LATEST = Instant.parse("+294276-12-31T23:59:59.999999Z");

  private static final Field<Integer> ITEM_COUNT =
      DSL.field(DSL.selectCount().from(ITEMS).where(ITEMS.ORDER_UID.eq(ORDERS.ORDER_UID)))
          .as("item_count");

  private static final List<Field<?>> FIELDS =
      List.of(
          ORDERS.ID,
          ORDERS.CREATED_AT,
          ORDERS.ORDER_UID,
          ORDERS.TRACK_NUMBER,
          ORDERS.CUSTOMER_ID,
          ORDERS.DATE_CREATED,
          PAYMENT.AMOUNT,
          PAYMENT.CURRENCY,
          ITEM_COUNT);

  private OrderSummaries() {}

  /** The summaries of every order, with its id and created_at; callers add the rest. */
  static SelectOnConditionStep<Record> select(DSLContext db) {
    return db.select(FIELDS).from(ORDERS).join(PAYMENT).on(PAYMENT.ORDER_UID.eq(ORDERS.ORDER_UID));
  }

  /** The summary on a row of {@link #select}. */
  static OrderSummary summary(Record row) {
    return new OrderSummary(
        row.get(ORDERS.ORDER_UID),
        row.get(ORDERS.TRACK_NUMBER),
        row.get(ORDERS.CUSTOMER_ID),
        row.get(ORDERS.DATE_CREATED),
        row.get(PAYMENT.AMOUNT),
        row.get(PAYMENT.CURRENCY),
        row.get(ITEM_COUNT));
  }

  /** Where the order on a row of {@link #select} stands in newest-first order. */
  static OrderCursor position(Record row) {
    return new OrderCursor(row.get(ORDERS.CREATED_AT).toInstant(), row.get(ORDERS.ID));
  }

  /** {@code instant} as a value to compare {@code created_at} with. */
  static OffsetDateTime timestamptz(Instant instant) {
    Instant within =
        instant.isBefore(EARLIEST) ? EARLIEST : instant.isAfter(LATEST) ? LATEST : instant;
    return within.atOffset(ZoneOffset.UTC);
  }
}
