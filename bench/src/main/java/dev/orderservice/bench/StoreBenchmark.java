package dev.orderservice.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench/run store}: {@link PostgresOrderStore#saveAll} against PostgreSQL {@code COPY} of
 * the same rows into empty copies of the same tables, then {@link PostgresOrderStore#streamAll}.
 *
 * <p>Both writers start from the same pre-encoded orders and both compute the content hash, so the
 * ratio compares the write paths alone. Target: saveAll at least 0.5x the COPY rate.
 */
final class StoreBenchmark {

  private static final double TARGET_RATIO = 0.9;

  private StoreBenchmark() {}

  static void run(Options options) throws Exception {
    int count = options.integer("orders", 200_000);
    int batchSize = options.integer("batch", OrderIngest.DEFAULT_MAX_BATCH_SIZE);
    List<EncodedOrder> orders = BenchOrders.generate(count);
    long rows = BenchOrders.rows(orders);

    try (BenchDatabase database = BenchDatabase.start();
        HikariDataSource storeDb = pool(database.freshDatabase("bench_store"), "bench-store");
        HikariDataSource copyDb = pool(database.freshDatabase("bench_copy"), "bench-copy")) {
      Migrations.migrate(storeDb);
      Migrations.migrate(copyDb);
      PostgresOrderStore store = new PostgresOrderStore(storeDb);

      // Rounds in alternating order, each writer into its own emptied tables; the best of each
      // counts, so neither the JIT's warm-up nor a checkpoint falls on one side only.
      int rounds = options.integer("rounds", 2);
      double saveAllRate = 0;
      double copyRate = 0;
      for (int round = 1; round <= rounds; round++) {
        boolean copyFirst = round % 2 == 1;
        if (copyFirst) {
          copyRate = Math.max(copyRate, timeCopy(copyDb, orders, round));
        }
        saveAllRate = Math.max(saveAllRate, timeSaveAll(storeDb, store, orders, batchSize, round));
        if (!copyFirst) {
          copyRate = Math.max(copyRate, timeCopy(copyDb, orders, round));
        }
      }
      double streamRate = timeStreamAll(store, count);

      System.out.printf(
          "orders: %,d (%,d rows in 4 tables), saveAll batches of %d%n", count, rows, batchSize);
      System.out.printf("saveAll:   %,12.0f orders/s%n", saveAllRate);
      System.out.printf("COPY:      %,12.0f orders/s%n", copyRate);
      System.out.printf(
          "ratio:     %12.2f   (saveAll / COPY; target >= %.1f: %s)%n",
          saveAllRate / copyRate,
          TARGET_RATIO,
          saveAllRate / copyRate >= TARGET_RATIO ? "met" : "NOT met");
      System.out.printf("streamAll: %,12.0f orders/s%n", streamRate);
    }
  }

  private static HikariDataSource pool(String jdbcUrl, String name) {
    return OrderDatabase.pool(jdbcUrl, 2, name);
  }

  private static double timeCopy(HikariDataSource db, List<EncodedOrder> orders, int round)
      throws Exception {
    truncate(db);
    double rate = CopyLoader.load(db, orders);
    System.err.printf("round %d: COPY %,.0f orders/s%n", round, rate);
    return rate;
  }

  private static double timeSaveAll(
      HikariDataSource db,
      PostgresOrderStore store,
      List<EncodedOrder> orders,
      int batchSize,
      int round)
      throws SQLException {
    truncate(db);
    Stopwatch watch = Stopwatch.start();
    for (int from = 0; from < orders.size(); from += batchSize) {
      List<SaveResult> results =
          store.saveAll(orders.subList(from, Math.min(from + batchSize, orders.size())));
      for (SaveResult result : results) {
        if (result.outcome() != SaveOutcome.INSERTED) {
          throw new IllegalStateException("expected INSERTED, got " + result);
        }
      }
    }
    double rate = watch.perSecond(orders.size());
    System.err.printf("round %d: saveAll %,.0f orders/s%n", round, rate);
    return rate;
  }

  private static void truncate(HikariDataSource db) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate orders, delivery, payment, items");
      s.execute("checkpoint");
    }
  }

  private static double timeStreamAll(PostgresOrderStore store, int expected) {
    System.err.println("streamAll...");
    AtomicLong bytes = new AtomicLong();
    Stopwatch watch = Stopwatch.start();
    long streamed = store.streamAll(o -> bytes.addAndGet(o.json().length));
    double rate = watch.perSecond(streamed);
    if (streamed != expected) {
      throw new IllegalStateException(
          "streamAll fed " + streamed + " orders, expected " + expected);
    }
    return rate;
  }
}
