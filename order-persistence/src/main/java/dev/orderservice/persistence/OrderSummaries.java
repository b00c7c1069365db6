package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.persistence.OrderColumns.SummaryCopies;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectJoinStep;

/**
 * Reads {@link OrderSummary summaries} of stored orders: the order's header, its payment's amount
 * and currency, and how many items it has. All of it is on the order's row (the last three are V5's
 * copies), and V6's indexes cover it, so a page of a search is read from one index. A row stored
 * without the copies (by an earlier release, before the backfill reached it) has its values read
 * from {@code payment} and {@code items} instead: each {@code coalesce} evaluates its subquery only
 * for such a row. One query for searches ({@link PostgresOrderSearch#search}) and for the listener
 * ({@link StoredOrdersListener}), so both show an order alike.
 */
final class OrderSummaries {

  /**
   * The earliest and latest instants a {@code timestamptz} holds (4714-11-24 BC, 294276 AD): bounds
   * and positions beyond them are moved to them, so that a query never fails on an instant a client
   * sent, and means the same (every stored instant lies within).
   */
  private static final Instant EARLIEST = Instant.parse("-4713-11-24T00:00:00Z");

  private static final Instant LATEST = Instant.parse("+294276-12-31T23:59:59.999999Z");

  private static final Field<?> AMOUNT_OR_ORIGINAL = SummaryCopies.AMOUNT.orOriginal();
  private static final Field<?> CURRENCY_OR_ORIGINAL = SummaryCopies.CURRENCY.orOriginal();
  private static final Field<?> ITEM_COUNT_OR_ORIGINAL = SummaryCopies.ITEM_COUNT.orOriginal();

  private static final List<Field<?>> FIELDS =
      List.of(
          ORDERS.ID,
          ORDERS.CREATED_AT,
          ORDERS.ORDER_UID,
          ORDERS.TRACK_NUMBER,
          ORDERS.CUSTOMER_ID,
          ORDERS.DATE_CREATED,
          AMOUNT_OR_ORIGINAL,
          CURRENCY_OR_ORIGINAL,
          ITEM_COUNT_OR_ORIGINAL);

  /** Each field's column number (1-based) in the rows of {@link #select}: read by number. */
  private static final int ID = column(ORDERS.ID);

  private static final int CREATED_AT = column(ORDERS.CREATED_AT);
  private static final int ORDER_UID = column(ORDERS.ORDER_UID);
  private static final int TRACK_NUMBER = column(ORDERS.TRACK_NUMBER);
  private static final int CUSTOMER_ID = column(ORDERS.CUSTOMER_ID);
  private static final int DATE_CREATED = column(ORDERS.DATE_CREATED);
  private static final int AMOUNT = column(AMOUNT_OR_ORIGINAL);
  private static final int CURRENCY = column(CURRENCY_OR_ORIGINAL);
  private static final int ITEM_COUNT = column(ITEM_COUNT_OR_ORIGINAL);

  private OrderSummaries() {}

  private static int column(Field<?> field) {
    for (int i = 0; i < FIELDS.size(); i++) {
      if (FIELDS.get(i) == field) {
        return i + 1;
      }
    }
    throw new IllegalStateException(field + " is not a summary field");
  }

  /** The summaries of every order, with its id and created_at; callers add the rest. */
  static SelectJoinStep<Record> select(DSLContext db) {
    return db.select(FIELDS).from(ORDERS);
  }

  /** The summaries of those of {@code orderUids} that are stored, by uid; one query. */
  static Map<String, OrderSummary> byUid(DSLContext db, Collection<String> orderUids)
      throws SQLException {
    Map<String, OrderSummary> read = new HashMap<>();
    if (!orderUids.isEmpty()) {
      try (ResultSet rows = select(db).where(ORDERS.ORDER_UID.in(orderUids)).fetchResultSet()) {
        while (rows.next()) {
          OrderSummary summary = summary(rows);
          read.put(summary.orderUid(), summary);
        }
      }
    }
    return read;
  }

  /**
   * The summary on the current row of {@link #select}'s SQL run by JDBC; its columns are read by
   * number (finding them by name for every row of every page cost more than reading them).
   */
  static OrderSummary summary(ResultSet row) throws SQLException {
    return new OrderSummary(
        row.getString(ORDER_UID),
        row.getString(TRACK_NUMBER),
        row.getString(CUSTOMER_ID),
        row.getString(DATE_CREATED),
        row.getInt(AMOUNT),
        row.getString(CURRENCY),
        row.getInt(ITEM_COUNT));
  }

  /**
   * Where the order on the current row of {@link #select}'s SQL run by JDBC stands in newest-first
   * order.
   */
  static OrderCursor position(ResultSet row) throws SQLException {
    return new OrderCursor(
        row.getObject(CREATED_AT, OffsetDateTime.class).toInstant(), row.getLong(ID));
  }

  /** {@code instant} as a value to compare {@code created_at} with. */
  static OffsetDateTime timestamptz(Instant instant) {
    Instant within =
        instant.isBefore(EARLIEST) ? EARLIEST : instant.isAfter(LATEST) ? LATEST : instant;
    return within.atOffset(ZoneOffset.UTC);
  }
}
