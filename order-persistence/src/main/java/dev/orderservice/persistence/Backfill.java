package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.persistence.OrderColumns.SummaryCopies;
import dev.orderservice.persistence.OrderColumns.SummaryCopy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills the columns of {@code orders} that the store writes for every new order but that rows
 * stored earlier lack: those stored before the migration that added the column, or by an instance
 * of an earlier version during a rolling upgrade.
 *
 * <ul>
 *   <li>{@code canonical_json} (V2): each order is rebuilt from the normalized tables and encoded
 *       with {@link OrderCodec}, which is exactly what {@code GET /orders/{uid}} returned for it
 *       before, so the bytes served do not change.
 *   <li>{@code created_at} (V3): the instant of {@code date_created}, computed in Java with {@link
 *       OrderDates#instant} as the store computes it. A row whose {@code date_created} is not valid
 *       by today's rules (an expanded year an earlier validator let through) is left without it,
 *       and counted in the log: searches do not find it.
 *   <li>{@code amount}, {@code currency} and {@code item_count} (V5), the summary a search shows:
 *       copied from the order's payment and counted in its items ({@link SummaryCopies}), in SQL,
 *       all three at once ({@code item_count} marks the rows still to fill).
 * </ul>
 *
 * <p>Each column is filled in transactions of {@value #BATCH} orders, oldest first, each locking
 * its rows with {@code SKIP LOCKED}, so several instances starting at once share the work and a
 * crash loses at most one batch of it. Finding nothing to do is one probe of a partial index that
 * is empty once every row is filled. Logs what it did.
 *
 * <p>Not thread safe; {@link #run} makes one per column and call.
 */
final class Backfill {

  static final int BATCH = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);

  private final String column;
  private final String name;
  private final Filler filler;

  /**
   * The last id looked at: each batch starts after it, so a row that cannot be filled is passed.
   */
  private long afterId = 0;

  /** Rows found without the column by the last batch. */
  private int found;

  private Backfill(String column, String name, Filler filler) {
    this.column = column;
    this.name = name;
    this.filler = filler;
  }

  /** Fills every row that lacks its canonical JSON. */
  static long canonicalJson(DataSource dataSource) throws SQLException {
    return new Backfill("canonical_json", "canonical JSON", new CanonicalJson())
        .fillAll(dataSource);
  }

  /** Fills every row that lacks its created_at. */
  static long createdAt(DataSource dataSource) throws SQLException {
    return new Backfill("created_at", "created_at", new CreatedAt()).fillAll(dataSource);
  }

  /** Fills every row that lacks its summary's copies: amount, currency and item count. */
  static long summary(DataSource dataSource) throws SQLException {
    return new Backfill(SummaryCopies.ITEM_COUNT.field().getName(), "summary", new Summary())
        .fillAll(dataSource);
  }

  private long fillAll(DataSource dataSource) throws SQLException {
    long started = System.nanoTime();
    long filled = 0;
    long seen = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      do {
        int now = fillBatch(c);
        c.commit();
        filled += now;
        seen += found;
        if (now > 0 && filled % 100_000 < now) {
          LOG.info("{} backfill: {} orders so far", name, filled);
        }
      } while (found == BATCH);
    }
    if (filled > 0) {
      LOG.info(
          "{} backfill: filled {} orders stored without it, in {} ms",
          name,
          filled,
          (System.nanoTime() - started) / 1_000_000);
    }
    if (seen > filled) {
      LOG.warn("{} backfill: {} orders could not be filled", name, seen - filled);
    }
    return filled;
  }

  /** Fills the oldest batch of rows that lack the column and are not locked by another filler. */
  private int fillBatch(Connection c) throws SQLException {
    List<Missing> rows = new ArrayList<>(BATCH);
    try (PreparedStatement select =
        c.prepareStatement(
            "select id, order_uid, date_created from orders where "
                + column
                + " is null and id > ? order by id limit "
                + BATCH
                + " for update skip locked")) {
      select.setLong(1, afterId);
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          afterId = r.getLong(1);
          rows.add(new Missing(r.getString(2), r.getString(3)));
        }
      }
    }
    found = rows.size();
    return rows.isEmpty() ? 0 : filler.fill(c, rows);
  }

  /** A row without the column: its uid and the date_created it was stored with. */
  private record Missing(String orderUid, String dateCreated) {}

  /** Computes and writes the column of a batch of rows that lack it. */
  private interface Filler {
    /**
     * @return how many of {@code rows} it filled
     */
    int fill(Connection c, List<Missing> rows) throws SQLException;
  }

  /** The canonical JSON of each order, rebuilt from its normalized rows. */
  private static final class CanonicalJson implements Filler {
    private static final String FILL =
        "update orders set canonical_json = filled.json"
            + " from unnest(?::varchar[], ?::bytea[]) as filled(order_uid, json)"
            + " where orders.order_uid = filled.order_uid";

    private final OrderCodec codec = OrderCodec.standard();
    private final Settings settings = new Settings().withExecuteLogging(false);

    @Override
    public int fill(Connection c, List<Missing> rows) throws SQLException {
      List<String> uids = rows.stream().map(Missing::orderUid).toList();
      List<Order> orders = new ArrayList<>(uids.size());
      try (ResultSet r =
          OrderRows.select(DSL.using(c, SQLDialect.POSTGRES, settings))
              .where(ORDERS.ORDER_UID.in(uids))
              .orderBy(ORDERS.ID, ITEMS.POSITION)
              .fetchResultSet()) {
        OrderRows.Assembler assembler = new OrderRows.Assembler(orders::add);
        assembler.read(r);
        assembler.finish();
      }
      String[] filledUids = new String[orders.size()];
      byte[][] json = new byte[orders.size()][];
      for (int i = 0; i < orders.size(); i++) {
        filledUids[i] = orders.get(i).orderUid();
        json[i] = codec.encode(orders.get(i));
      }
      try (PreparedStatement fill = c.prepareStatement(FILL)) {
        fill.setObject(1, filledUids);
        fill.setObject(2, json);
        return fill.executeUpdate();
      }
    }
  }

  /** The summary's copies of each order, from what they copy ({@link SummaryCopies}). */
  private static final class Summary implements Filler {
    private static final String FILL = fill();

    @Override
    public int fill(Connection c, List<Missing> rows) throws SQLException {
      try (PreparedStatement fill = c.prepareStatement(FILL)) {
        fill.setArray(
            1, c.createArrayOf("varchar", rows.stream().map(Missing::orderUid).toArray()));
        return fill.executeUpdate();
      }
    }

    /** {@code update orders set <copy> = (<original>), ... where order_uid = any(?)}. */
    private static String fill() {
      Map<Field<?>, Field<?>> copies = new LinkedHashMap<>();
      for (SummaryCopy<?> copy : SummaryCopies.ALL) {
        copies.put(copy.field(), copy.original());
      }
      return DSL.using(SQLDialect.POSTGRES)
          .update(ORDERS)
          .set(copies)
          .where(ORDERS.ORDER_UID.eq(DSL.any(DSL.val(new String[0]))))
          .getSQL();
    }
  }

  /**
   * The instant of each order's date_created. It travels as whole seconds and microseconds, which
   * the statement adds up exactly: text would have to be in a form PostgreSQL parses for every
   * instant Java computes (the year 0000 and offsets beyond +-15:59 are not), and one number of
   * microseconds would pass through a float on the way.
   */
  private static final class CreatedAt implements Filler {
    private static final String FILL =
        "update orders set created_at = to_timestamp(filled.second)"
            + " + filled.micros * interval '1 microsecond'"
            + " from unnest(?::varchar[], ?::bigint[], ?::integer[])"
            + " as filled(order_uid, second, micros)"
            + " where orders.order_uid = filled.order_uid";

    @Override
    public int fill(Connection c, List<Missing> rows) throws SQLException {
      List<String> uids = new ArrayList<>(rows.size());
      List<Instant> instants = new ArrayList<>(rows.size());
      List<String> refused = new ArrayList<>(0);
      for (Missing row : rows) {
        if (OrderDates.isValid(row.dateCreated())) {
          uids.add(row.orderUid());
          instants.add(OrderDates.instant(row.dateCreated()));
        } else {
          refused.add(row.orderUid());
        }
      }
      if (!refused.isEmpty()) {
        LOG.warn(
            "created_at backfill: {} orders have a date_created that is not an ISO-8601 date-time"
                + " with an offset and a four-digit year; searches will not find them: {}",
            refused.size(),
            refused.stream().limit(10).collect(Collectors.joining(", ")));
      }
      if (uids.isEmpty()) {
        return 0;
      }
      Long[] seconds = instants.stream().map(Instant::getEpochSecond).toArray(Long[]::new);
      Integer[] micros = instants.stream().map(i -> i.getNano() / 1_000).toArray(Integer[]::new);
      try (PreparedStatement fill = c.prepareStatement(FILL)) {
        fill.setObject(1, uids.toArray(String[]::new));
        fill.setArray(2, c.createArrayOf("bigint", seconds));
        fill.setArray(3, c.createArrayOf("integer", micros));
        return fill.executeUpdate();
      }
    }
  }
}
