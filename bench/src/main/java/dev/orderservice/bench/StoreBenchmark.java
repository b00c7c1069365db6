package dev.orderservice.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * {@code bench/run store}: {@link PostgresOrderStore#saveAll} against PostgreSQL {@code COPY} of the
 * same rows into empty copies of the same tables, then {@link PostgresOrderStore#streamAll}.
 *
 * <p>Both writers start from the same pre-encoded orders and both compute the content hash, so the
 * ratio compares the write paths alone. Target: saveAll at least 0.5x the COPY rate.
 */
final class StoreBenchmark {

  private static final double TARGET_RATIO = 0.5;

  private StoreBenchmark() {}

  static void run(Options options) throws Exception {
    int count = options.integer("orders", 200_000);
    int batchSize = options.integer("batch", 500);
    List<EncodedOrder> orders = generate(count);
    long rows = rows(orders);

    try (BenchDatabase database = BenchDatabase.start();
        HikariDataSource storeDb = pool(database.freshDatabase("bench_store"), "bench-store");
        HikariDataSource copyDb = pool(database.freshDatabase("bench_copy"), "bench-copy")) {
      Migrations.migrate(storeDb);
      Migrations.migrate(copyDb);
      PostgresOrderStore store = new PostgresOrderStore(storeDb);

      double saveAllRate = timeSaveAll(store, orders, batchSize);
      double copyRate = timeCopy(copyDb, orders);
      double streamRate = timeStreamAll(store, count);

      System.out.printf("orders: %,d (%,d rows in 4 tables), saveAll batches of %d%n", count, rows, batchSize);
      System.out.printf("saveAll:   %,12.0f orders/s%n", saveAllRate);
      System.out.printf("COPY:      %,12.0f orders/s%n", copyRate);
      System.out.printf("ratio:     %12.2f   (saveAll / COPY; target >= %.1f: %s)%n",
          saveAllRate / copyRate, TARGET_RATIO, saveAllRate / copyRate >= TARGET_RATIO ? "met" : "NOT met");
      System.out.printf("streamAll: %,12.0f orders/s%n", streamRate);
    }
  }

  private static List<EncodedOrder> generate(int count) {
    System.err.printf("generating %,d random orders...%n", count);
    RandomOrders random = new RandomOrders(20261123L);
    OrderCodec codec = OrderCodec.standard();
    List<EncodedOrder> orders = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      orders.add(codec.encoded(random.next()));
    }
    return orders;
  }

  private static long rows(List<EncodedOrder> orders) {
    return orders.stream().mapToLong(o -> 3 + o.order().items().size()).sum();
  }

  private static HikariDataSource pool(String jdbcUrl, String name) {
    return OrderDatabase.pool(jdbcUrl, 2, name);
  }

  private static double timeSaveAll(PostgresOrderStore store, List<EncodedOrder> orders, int batchSize) {
    System.err.println("saveAll...");
    long start = System.nanoTime();
    for (int from = 0; from < orders.size(); from += batchSize) {
      List<SaveResult> results = store.saveAll(orders.subList(from, Math.min(from + batchSize, orders.size())));
      for (SaveResult result : results) {
        if (result.outcome() != SaveOutcome.INSERTED) {
          throw new IllegalStateException("expected INSERTED, got " + result);
        }
      }
    }
    return perSecond(orders.size(), System.nanoTime() - start);
  }

  private static double timeCopy(HikariDataSource db, List<EncodedOrder> orders) throws Exception {
    System.err.println("COPY...");
    long start = System.nanoTime();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      PGConnection pg = c.unwrap(PGConnection.class);
      copy(pg, "orders (order_uid, track_number, entry, locale, internal_signature, customer_id,"
          + " delivery_service, shardkey, sm_id, date_created, oof_shard, content_hash)", orders, StoreBenchmark::orderRow);
      copy(pg, "delivery (order_uid, name, phone, zip, city, address, region, email)", orders, StoreBenchmark::deliveryRow);
      copy(pg, "payment (order_uid, transaction, request_id, currency, provider, amount, payment_dt,"
          + " bank, delivery_cost, goods_total, custom_fee)", orders, StoreBenchmark::paymentRow);
      copy(pg, "items (order_uid, position, chrt_id, track_number, price, rid, name, sale, size,"
          + " total_price, nm_id, brand, status)", orders, StoreBenchmark::itemRows);
      c.commit();
    }
    return perSecond(orders.size(), System.nanoTime() - start);
  }

  private static double timeStreamAll(PostgresOrderStore store, int expected) {
    System.err.println("streamAll...");
    AtomicLong bytes = new AtomicLong();
    long start = System.nanoTime();
    long streamed = store.streamAll(o -> bytes.addAndGet(o.json().length));
    long elapsed = System.nanoTime() - start;
    if (streamed != expected) {
      throw new IllegalStateException("streamAll fed " + streamed + " orders, expected " + expected);
    }
    return perSecond(streamed, elapsed);
  }

  private static double perSecond(long count, long nanos) {
    return count / (nanos / 1e9);
  }

  @FunctionalInterface
  private interface RowWriter {
    void write(Writer out, EncodedOrder order) throws IOException;
  }

  private static void copy(PGConnection pg, String table, List<EncodedOrder> orders, RowWriter rows)
      throws Exception {
    try (Writer out = new BufferedWriter(new OutputStreamWriter(
        new PGCopyOutputStream(pg, "COPY " + table + " FROM STDIN", 1 << 16), UTF_8), 1 << 16)) {
      for (EncodedOrder order : orders) {
        rows.write(out, order);
      }
    }
  }

  private static void orderRow(Writer out, EncodedOrder encoded) throws IOException {
    Order o = encoded.order();
    values(out, o.orderUid(), o.trackNumber(), o.entry(), o.locale(), o.internalSignature(),
        o.customerId(), o.deliveryService(), o.shardkey(), Integer.toString(o.smId()),
        o.dateCreated(), o.oofShard());
    // bytea in COPY text format: \x and hex digits, the backslash itself escaped.
    out.write("\t\\\\x");
    out.write(HexFormat.of().formatHex(sha256(encoded.json())));
    out.write('\n');
  }

  private static void deliveryRow(Writer out, EncodedOrder encoded) throws IOException {
    var d = encoded.order().delivery();
    fields(out, encoded.orderUid(), d.name(), d.phone(), d.zip(), d.city(), d.address(), d.region(), d.email());
  }

  private static void paymentRow(Writer out, EncodedOrder encoded) throws IOException {
    var p = encoded.order().payment();
    fields(out, encoded.orderUid(), p.transaction(), p.requestId(), p.currency(), p.provider(),
        Integer.toString(p.amount()), Long.toString(p.paymentDt()), p.bank(),
        Integer.toString(p.deliveryCost()), Integer.toString(p.goodsTotal()), Integer.toString(p.customFee()));
  }

  private static void itemRows(Writer out, EncodedOrder encoded) throws IOException {
    List<Item> items = encoded.order().items();
    for (int i = 0; i < items.size(); i++) {
      Item t = items.get(i);
      fields(out, encoded.orderUid(), Integer.toString(i), Long.toString(t.chrtId()), t.trackNumber(),
          Integer.toString(t.price()), t.rid(), t.name(), Integer.toString(t.sale()), t.size(),
          Integer.toString(t.totalPrice()), Long.toString(t.nmId()), t.brand(), Integer.toString(t.status()));
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
