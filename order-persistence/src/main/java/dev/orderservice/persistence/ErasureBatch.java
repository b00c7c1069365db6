package dev.orderservice.persistence;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.PersonalData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * Erases the personal data of some orders in the caller's transaction: their rows are locked
 * ({@code FOR UPDATE}, in uid order, so that two erasures never deadlock), the delivery's fields
 * become {@link PersonalData}'s markers, the {@code customer_id} its pseudonym, in the normalized
 * rows and in the canonical JSON alike, and {@code erased_at} is set. {@code content_hash} stays
 * the hash of the order as accepted (see V8). The erased orders are announced on {@value #CHANNEL}
 * with their new summaries, delivered when the caller commits.
 *
 * <p>Stateless; the methods run on the connection they are given.
 */
final class ErasureBatch {

  /** The channel erasures and deletions of orders are announced on. */
  static final String CHANNEL = "orders_erased";

  /** The most orders one transaction erases or deletes: no lock is held long. */
  static final int MAX_ORDERS = 1_000;

  private static final String LOCK =
      "select order_uid, customer_id, canonical_json, erased_at is not null from orders"
          + " where order_uid = any(?) order by order_uid for update";
  private static final String ERASE_ORDER =
      "update orders set customer_id = ?, canonical_json = ?, erased_at = now()"
          + " where order_uid = ?";
  private static final String ERASE_DELIVERY =
      "update delivery set name = ?, phone = ?, zip = ?, city = ?, address = ?, region = ?,"
          + " email = ? where order_uid = any(?)";
  private static final String ANNOUNCE =
      "select pg_notify(?, payload)"
          + " from unnest(?::text[]) with ordinality as chunk(payload, n) order by n";

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final Settings SETTINGS = new Settings().withExecuteLogging(false);

  private ErasureBatch() {}

  /** What one batch did. */
  record Outcome(List<String> erased, List<String> alreadyErased, List<String> found) {}

  /**
   * Erases those of {@code uids} (at most {@value #MAX_ORDERS}) that are stored and not erased yet.
   */
  static Outcome erase(Connection tx, PersonalData personal, Collection<String> uids)
      throws SQLException {
    if (uids.size() > MAX_ORDERS) {
      throw new IllegalArgumentException("at most " + MAX_ORDERS + " orders a transaction");
    }
    List<String> erased = new ArrayList<>(uids.size());
    List<String> alreadyErased = new ArrayList<>(0);
    List<String> found = new ArrayList<>(uids.size());
    try (PreparedStatement lock = tx.prepareStatement(LOCK);
        PreparedStatement update = tx.prepareStatement(ERASE_ORDER)) {
      lock.setArray(1, tx.createArrayOf("varchar", uids.toArray()));
      try (ResultSet rows = lock.executeQuery()) {
        while (rows.next()) {
          String uid = rows.getString(1);
          found.add(uid);
          if (rows.getBoolean(4)) {
            alreadyErased.add(uid);
            continue;
          }
          update.setString(1, personal.pseudonym(rows.getString(2)));
          update.setBytes(2, erasedJson(personal, uid, rows.getBytes(3)));
          update.setString(3, uid);
          update.addBatch();
          erased.add(uid);
        }
      }
      if (!erased.isEmpty()) {
        update.executeBatch();
      }
    }
    if (!erased.isEmpty()) {
      eraseDeliveries(tx, erased);
      DSLContext db = DSL.using(tx, SQLDialect.POSTGRES, SETTINGS);
      announce(tx, new ArrayList<>(OrderSummaries.byUid(db, erased).values()));
    }
    return new Outcome(erased, alreadyErased, found);
  }

  /**
   * Announces erased or deleted orders on {@value #CHANNEL}: their summaries as they are after the
   * erasure (the customer's pseudonym in place of its id), in as many notifications as they need
   * ({@link StoredOrdersPayload}).
   */
  static void announce(Connection tx, List<OrderSummary> orders) throws SQLException {
    if (orders.isEmpty()) {
      return;
    }
    List<String> payloads = StoredOrdersPayload.chunks(orders);
    try (PreparedStatement notify = tx.prepareStatement(ANNOUNCE)) {
      notify.setString(1, CHANNEL);
      notify.setArray(2, tx.createArrayOf("text", payloads.toArray()));
      notify.execute();
    }
  }

  private static void eraseDeliveries(Connection tx, List<String> uids) throws SQLException {
    var d = PersonalData.erasedDelivery();
    try (PreparedStatement update = tx.prepareStatement(ERASE_DELIVERY)) {
      update.setString(1, d.name());
      update.setString(2, d.phone());
      update.setString(3, d.zip());
      update.setString(4, d.city());
      update.setString(5, d.address());
      update.setString(6, d.region());
      update.setString(7, d.email());
      update.setArray(8, tx.createArrayOf("varchar", uids.toArray()));
      update.executeUpdate();
    }
  }

  /**
   * The canonical JSON with the personal fields replaced; none for a row stored without it (a
   * lookup rebuilds it from the erased rows).
   */
  private static byte[] erasedJson(PersonalData personal, String uid, byte[] json) {
    if (json == null) {
      return null;
    }
    DecodeResult decoded = CODEC.decode(json);
    if (!(decoded instanceof DecodeResult.Decoded d)) {
      throw new IllegalStateException("the stored JSON of order " + uid + " does not decode");
    }
    return CODEC.encode(personal.erase(d.order()));
  }
}
