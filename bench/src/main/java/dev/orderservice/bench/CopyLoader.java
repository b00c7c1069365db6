package dev.orderservice.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * The yardstick of the write benchmarks: loads orders into the four tables of the schema (orders,
 * delivery, payment, items) with PostgreSQL {@code COPY}, in one transaction, computing the content
 * hash as the store does. Expects a migrated, empty database; blocks until the load is committed.
 */
final class CopyLoader {

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
              + " delivery_service, shardkey, sm_id, date_created, oof_shard, content_hash)",
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
    void write(Writer out, EncodedOrder order) throws IOException;
  }

  private static void copy(PGConnection pg, String table, List<EncodedOrder> orders, RowWriter rows)
      throws SQLException, IOException {
    try (Writer out =
        new BufferedWriter(
            new OutputStreamWriter(
                new PGCopyOutputStream(pg, "COPY " + table + " FROM STDIN", 1 << 16), UTF_8),
            1 << 16)) {
      for (EncodedOrder order : orders) {
        rows.write(out, order);
      }
    }
  }

  private static void orderRow(Writer out, EncodedOrder encoded) throws IOException {
    Order o = encoded.order();
    values(
        out,
        o.orderUid(),
        o.trackNumber(),
        o.entry(),
        o.locale(),
        o.internalSignature(),
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        Integer.toString(o.smId()),
        o.dateCreated(),
        o.oofShard());
    // bytea in COPY text format: \x and hex digits, the backslash itself escaped.
    out.write("\t\\\\x");
    out.write(HexFormat.of().formatHex(sha256(encoded.json())));
    out.write('\n');
  }

  private static void deliveryRow(Writer out, EncodedOrder encoded) throws IOException {
    var d = encoded.order().delivery();
    fields(
        out,
        encoded.orderUid(),
        d.name(),
        d.phone(),
        d.zip(),
        d.city(),
        d.address(),
        d.region(),
        d.email());
  }

  private static void paymentRow(Writer out, EncodedOrder encoded) throws IOException {
    var p = encoded.order().payment();
    fields(
        out,
        encoded.orderUid(),
        p.transaction(),
        p.requestId(),
        p.currency(),
        p.provider(),
        Integer.toString(p.amount()),
        Long.toString(p.paymentDt()),
        p.bank(),
        Integer.toString(p.deliveryCost()),
        Integer.toString(p.goodsTotal()),
        Integer.toString(p.customFee()));
  }

  private static void itemRows(Writer out, EncodedOrder encoded) throws IOException {
    List<Item> items = encoded.order().items();
    for (int i = 0; i < items.size(); i++) {
      Item t = items.get(i);
      fields(
          out,
          encoded.orderUid(),
          Integer.toString(i),
          Long.toString(t.chrtId()),
          t.trackNumber(),
          Integer.toString(t.price()),
          t.rid(),
          t.name(),
          Integer.toString(t.sale()),
          t.size(),
          Integer.toString(t.totalPrice()),
          Long.toString(t.nmId()),
          t.brand(),
          Integer.toString(t.status()));
    }
  }

  /** One row of COPY's text format: tab-separated, with backslash escapes. */
  private static void fields(Writer out, String... values) throws IOException {
    values(out, values);
    out.write('\n');
  }

  private static void values(Writer out, String... values) throws IOException {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.write('\t');
      }
      escape(out, values[i]);
    }
  }

  private static void escape(Writer out, String value) throws IOException {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '\\' -> out.write("\\\\");
        case '\t' -> out.write("\\t");
        case '\n' -> out.write("\\n");
        case '\r' -> out.write("\\r");
        default -> out.write(ch);
      }
    }
  }

  private static byte[] sha256(byte[] json) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(json);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
