package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills {@code orders.canonical_json} of the rows that lack it: those stored before the V2
 * migration, or by an instance of an earlier version during a rolling upgrade. Each order is
 * rebuilt from the normalized tables and encoded with {@link OrderCodec}, which is exactly what
 * {@code GET /orders/{uid}} returned for it before, so the bytes served do not change.
 *
 * <p>Runs in transactions of {@value #BATCH} orders, oldest first, each locking its rows with
 * {@code SKIP LOCKED}, so several instances starting at once share the work and a crash loses at
 * most one batch of it. Finding nothing to do is one probe of a partial index that is empty once
 * every row is filled. Logs what it did.
 */
final class CanonicalJsonBackfill {

  static final int BATCH = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(CanonicalJsonBackfill.class);
  private static final String MISSING =
      "select id, order_uid from orders where canonical_json is null and id > ? order by id limit "
          + BATCH
          + " for update skip locked";
  private static final String FILL =
      "update orders set canonical_json = filled.json"
          + " from unnest(?::varchar[], ?::bytea[]) as filled(order_uid, json)"
          + " where orders.order_uid = filled.order_uid";

  private final OrderCodec codec = OrderCodec.standard();
  private final Settings settings = new Settings().withExecuteLogging(false);

  /**
   * The last id looked at: each batch starts after it, so a row that cannot be filled is passed.
   */
  private long afterId = 0;

  /** Rows found without their JSON by the last batch. */
  private int found;

  /**
   * Fills every row that lacks its canonical JSON.
   *
   * @return how many rows were filled
   */
  static long run(DataSource dataSource) throws SQLException {
    return new CanonicalJsonBackfill().fillAll(dataSource);
  }

  private long fillAll(DataSource dataSource) throws SQLException {
    long started = System.nanoTime();
    long filled = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      do {
        int now = fillBatch(c);
        c.commit();
        filled += now;
        if (now > 0 && filled % 100_000 < now) {
          LOG.info("canonical JSON backfill: {} orders so far", filled);
        }
      } while (found == BATCH);
    }
    if (filled > 0) {
      LOG.info(
          "canonical JSON backfill: filled {} orders stored without it, in {} ms",
          filled,
          (System.nanoTime() - started) / 1_000_000);
    }
    return filled;
  }

  /** Fills the oldest batch of rows that lack their JSON and are not locked by another filler. */
  private int fillBatch(Connection c) throws SQLException {
    List<String> uids = new ArrayList<>(BATCH);
    try (PreparedStatement select = c.prepareStatement(MISSING)) {
      select.setLong(1, afterId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          afterId = rows.getLong(1);
          uids.add(rows.getString(2));
        }
      }
    }
    found = uids.size();
    if (uids.isEmpty()) {
      return 0;
    }
    List<Order> orders = new ArrayList<>(uids.size());
    try (ResultSet rows =
        OrderRows.select(DSL.using(c, SQLDialect.POSTGRES, settings))
            .where(ORDERS.ORDER_UID.in(uids))
            .orderBy(ORDERS.ID, ITEMS.POSITION)
            .fetchResultSet()) {
      OrderRows.Assembler assembler = new OrderRows.Assembler(orders::add);
      assembler.read(rows);
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
