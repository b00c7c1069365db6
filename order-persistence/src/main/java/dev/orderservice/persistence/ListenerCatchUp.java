package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import dev.orderservice.domain.OrderSummary;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.impl.DSL;

/**
 * What the {@link StoredOrdersListener} remembers so that an outage loses no order: the checks of
 * the last {@value StoredOrdersListener#CATCH_UP_MARGIN_SECONDS} s (the database's time and the
 * highest order id at each), from which a reconnected listener reads the orders stored while it was
 * away, and the uids of the last {@value StoredOrdersListener#REMEMBERED} orders it delivered, so
 * that none is delivered twice. See the listener's class comment for the reasoning and the limits.
 *
 * <p>Not thread safe: owned by the listener's thread.
 */
final class ListenerCatchUp {

  private final LinkedHashSet<String> delivered = new LinkedHashSet<>();
  private final Deque<Check> checks = new ArrayDeque<>();

  /**
   * Asks the database for its time and the highest order id it holds. Every transaction committed
   * before that time has been notified to this connection by the time the answer arrives; and every
   * order stored by a transaction that starts after it gets a higher id (ids come from a sequence,
   * handed out in time order), which lets a catch-up read only the recent end of {@code orders}.
   */
  static Check check(DSLContext db) {
    Record2<OffsetDateTime, Long> now =
        db.select(DSL.currentOffsetDateTime(), DSL.coalesce(DSL.max(ORDERS.ID), 0L))
            .from(ORDERS)
            .fetchSingle();
    return new Check(now.value1().toInstant(), now.value2());
  }

  /** Keeps the checks a catch-up may need: those within the margin, and the newest before it. */
  void remember(Check check) {
    checks.addLast(check);
    Instant cutoff = check.at().minusSeconds(StoredOrdersListener.CATCH_UP_MARGIN_SECONDS);
    while (checks.size() > 1) {
      Iterator<Check> oldestFirst = checks.iterator();
      oldestFirst.next();
      if (oldestFirst.next().at().isAfter(cutoff)) {
        break;
      }
      checks.removeFirst();
    }
  }

  /**
   * Delivers to {@code sink} the orders stored since the last check before the outage, less the
   * margin, that were not delivered yet: those with an id above the one a check at or before that
   * moment found, up to the one the new connection's first check found (every order committed
   * before that check has an id up to it; those committed after it are notified to the new
   * connection, which listens already). {@code sink} gets a page at a time, never an empty one.
   *
   * @return how many orders it delivered
   */
  long deliverMissed(DSLContext db, Check listenedAt, Consumer<List<OrderSummary>> sink)
      throws SQLException {
    Instant since =
        checks.getLast().at().minusSeconds(StoredOrdersListener.CATCH_UP_MARGIN_SECONDS);
    // The newest check at or before that moment; the first one if it listened for less than that.
    long afterId = checks.getFirst().maxId();
    for (Check check : checks) {
      if (!check.at().isAfter(since)) {
        afterId = check.maxId();
      }
    }
    long caughtUp = 0;
    while (true) {
      int read = 0;
      List<OrderSummary> fresh = new ArrayList<>();
      try (ResultSet page =
          OrderSummaries.select(db)
              .where(ORDERS.ID.gt(afterId))
              .and(ORDERS.ID.le(listenedAt.maxId()))
              .orderBy(ORDERS.ID)
              .limit(StoredOrdersListener.CATCH_UP_PAGE)
              .fetchResultSet()) {
        while (page.next()) {
          read++;
          afterId = page.getLong(ORDERS.ID.getName());
          OrderSummary order = OrderSummaries.summary(page);
          if (firstDelivery(order.orderUid())) {
            fresh.add(order);
          }
        }
      }
      if (!fresh.isEmpty()) {
        caughtUp += fresh.size();
        sink.accept(fresh);
      }
      if (read < StoredOrdersListener.CATCH_UP_PAGE) {
        return caughtUp;
      }
    }
  }

  /**
   * Delivers to {@code sink} the summaries, as they are now, of the orders erased since the last
   * check before the outage, less the margin ({@code erased_at}, V9's index), a page at a time. An
   * order erased twice in that time, or announced live too, is delivered again: dropping it from a
   * cache once more does no harm.
   *
   * @return how many orders it delivered
   */
  long deliverErased(DSLContext db, Consumer<List<OrderSummary>> sink) throws SQLException {
    Instant since =
        checks.getLast().at().minusSeconds(StoredOrdersListener.CATCH_UP_MARGIN_SECONDS);
    long caughtUp = 0;
    List<OrderSummary> page = new ArrayList<>();
    try (ResultSet rows =
        OrderSummaries.select(db)
            .where(ORDERS.ERASED_AT.ge(OrderSummaries.timestamptz(since)))
            .orderBy(ORDERS.ERASED_AT)
            .fetchResultSet()) {
      while (rows.next()) {
        page.add(OrderSummaries.summary(rows));
        if (page.size() == StoredOrdersListener.CATCH_UP_PAGE) {
          caughtUp += page.size();
          sink.accept(page);
          page = new ArrayList<>();
        }
      }
    }
    if (!page.isEmpty()) {
      caughtUp += page.size();
      sink.accept(page);
    }
    return caughtUp;
  }

  /** Records {@code orderUid} as delivered; false if it was already. */
  boolean firstDelivery(String orderUid) {
    if (!delivered.add(orderUid)) {
      return false;
    }
    if (delivered.size() > StoredOrdersListener.REMEMBERED) {
      Iterator<String> oldest = delivered.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  /** The database's time at a check, and the highest order id it held then. */
  record Check(Instant at, long maxId) {}
}
