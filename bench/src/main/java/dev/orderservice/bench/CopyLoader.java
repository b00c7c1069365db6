package dev.orderservice.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.domain.Payment;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * The yardstick of the write benchmarks: loads orders into the four tables of the schema (orders
 * with its canonical JSON and the instant of its date_created, delivery, payment, items) with
 * PostgreSQL {@code COPY} in its binary format, the fastest way into a table, in one transaction
 * and one {@code COPY} per table, computing the content hash as the store does. Foreign keys are
 * checked as for any writer. Expects a migrated, empty database; blocks until the load is
 * committed.
 */
final class CopyLoader {

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0
  };

  private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  private CopyLoader() {}

  /**
   * Loads {@code orders} with {@code COPY} and commits.
   *
   * @return orders per second, from taking the connection to the commit
   */
  static double load(DataSource db, List<EncodedOrder> orders) throws SQLException, IOException {
    Stopwatch watch = Stopwatch.start();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      PGConnection pg = c.unwrap(PGConnection.class);
      copy(
          pg,
          "orders (order_uid, track_number, entry, locale, internal_signature, customer_id,"
              + " delivery_service, shardkey, sm_id, date_created, oof_shard, content_hash,"
              + " canonical_json, created_at, amount, currency, item_count)",
          orders,
          CopyLoader::orderRow);
      copy(
          pg,
          "delivery (order_uid, name, phone, zip, city, address, region, email)",
          orders,
          CopyLoader::deliveryRow);
      copy(
          pg,
          "payment (order_uid, transaction, request_id, currency, provider, amount, payment_dt,"
              + " bank, delivery_cost, goods_total, custom_fee)",
          orders,
          CopyLoader::paymentRow);
      copy(
          pg,
          "items (order_uid, position, chrt_id, track_number, price, rid, name, sale, size,"
              + " total_price, nm_id, brand, status)",
          orders,
          CopyLoader::itemRows);
      c.commit();
    }
    return watch.perSecond(orders.size());
  }

  @FunctionalInterface
  private interface RowWriter {
    void write(DataOutputStream out, EncodedOrder order) throws IOException;
  }

  private static void copy(PGConnection pg, String table, List<EncodedOrder> orders, RowWriter rows)
      throws SQLException, IOException {
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(
                new PGCopyOutputStream(
                    pg, "COPY " + table + " FROM STDIN (FORMAT binary)", 1 << 16),
                1 << 16))) {
      out.write(SIGNATURE);
      out.writeInt(0); // flags
      out.writeInt(0); // header extension length
      for (EncodedOrder order : orders) {
        rows.write(out, order);
      }
      out.writeShort(-1);
    }
  }

  private static void orderRow(DataOutputStream out, EncodedOrder encoded) throws IOException {
    Order o = encoded.order();
    out.writeShort(17);
    text(out, o.orderUid());
    text(out, o.trackNumber());
    text(out, o.entry());
    text(out, o.locale());
    text(out, o.internalSignature());
    text(out, o.customerId());
    text(out, o.deliveryService());
    text(out, o.shardkey());
    int4(out, o.smId());
    text(out, o.dateCreated());
    text(out, o.oofShard());
    bytes(out, sha256(encoded.json()));
    bytes(out, encoded.json());
    timestamptz(out, OrderDates.instant(o.dateCreated()));
    int4(out, o.payment().amount());
    text(out, o.payment().currency());
    int4(out, o.items().size());
  }

  private static void deliveryRow(DataOutputStream out, EncodedOrder encoded) throws IOException {
    Delivery d = encoded.order().delivery();
    out.writeShort(8);
    text(out, encoded.orderUid());
    text(out, d.name());
    text(out, d.phone());
    text(out, d.zip());
    text(out, d.city());
    text(out, d.address());
    text(out, d.region());
    text(out, d.email());
  }

  private static void paymentRow(DataOutputStream out, EncodedOrder encoded) throws IOException {
    Payment p = encoded.order().payment();
    out.writeShort(11);
    text(out, encoded.orderUid());
    text(out, p.transaction());
    text(out, p.requestId());
    text(out, p.currency());
    text(out, p.provider());
    int4(out, p.amount());
    int8(out, p.paymentDt());
    text(out, p.bank());
    int4(out, p.deliveryCost());
    int4(out, p.goodsTotal());
    int4(out, p.customFee());
  }

  private static void itemRows(DataOutputStream out, EncodedOrder encoded) throws IOException {
    List<Item> items = encoded.order().items();
    for (int i = 0; i < items.size(); i++) {
      Item t = items.get(i);
      out.writeShort(13);
      text(out, encoded.orderUid());
      int4(out, i);
      int8(out, t.chrtId());
      text(out, t.trackNumber());
      int4(out, t.price());
      text(out, t.rid());
      text(out, t.name());
      int4(out, t.sale());
      text(out, t.size());
      int4(out, t.totalPrice());
      int8(out, t.nmId());
      text(out, t.brand());
      int4(out, t.status());
    }
  }

  private static void text(DataOutputStream out, String value) throws IOException {
    bytes(out, value.getBytes(UTF_8));
  }

  private static void bytes(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value.length);
    out.write(value);
  }

  private static void int4(DataOutputStream out, int value) throws IOException {
    out.writeInt(4);
    out.writeInt(value);
  }

  private static void int8(DataOutputStream out, long value) throws IOException {
    out.writeInt(8);
    out.writeLong(value);
  }

  /** A timestamptz: microseconds since 2000-01-01 UTC. */
  private static void timestamptz(DataOutputStream out, Instant value) throws IOException {
    out.writeInt(8);
    out.writeLong(ChronoUnit.MICROS.between(POSTGRES_EPOCH, value));
  }

  private static byte[] sha256(byte[] json) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(json);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
