package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.RecentOrders;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.persistence.BatchSave.Mode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.postgresql.PGStatement;

/**
 * {@link OrderStore} and {@link RecentOrders} on PostgreSQL, in the schema of the {@code db}
 * module's migrations (run them first with {@link Migrations#migrate}). Table names are not
 * qualified: the connections' {@code search_path} decides which schema is used. Searches of what it
 * stores are {@link PostgresOrderSearch}'s.
 *
 * <p>Every method blocks on the database and borrows a connection from the given {@link DataSource}
 * for the duration of the call only; the store itself holds no connection and needs no closing.
 * Instances are immutable and thread safe; share one. Database failures surface as {@link
 * OrderStoreException}, transient when the database is unreachable, overloaded, restarting, or the
 * transaction lost a deadlock or serialization race.
 *
 * <ul>
 *   <li>{@link #saveAll} runs one transaction of at most six statements whatever the batch size: a
 *       binary {@code COPY} into each table, after a lookup of the uids already stored when the
 *       batch is likely to hold some (see {@link BatchSave}), and a {@code NOTIFY} of the orders it
 *       inserted on {@value StoredOrdersListener#CHANNEL} ({@link StoredOrdersListener}), which
 *       PostgreSQL delivers when the transaction commits and drops if it does not. It writes each
 *       order's canonical JSON and the instant of its {@code date_created} beside its normalized
 *       rows.
 *   <li>{@link #findJson} is one primary-key lookup of that JSON, byte for byte what {@link
 *       OrderCodec#encode} produced when the order was saved.
 *   <li>{@link #streamNewest} reads the stored JSON newest first, in one binary COPY, up to a
 *       limit.
 *   <li>{@link #streamAll} and {@link #count}, for benchmarks and tests, read every stored order.
 * </ul>
 */
public final class PostgresOrderStore implements OrderStore, RecentOrders {

  /** Rows per cursor fetch: an order is one row per item, 1 to 5 rows in practice. */
  private static final int STREAM_FETCH_ROWS = 2_000;

  // The hot paths are plain prepared statements: pgjdbc prepares each once per connection.
  private static final String FIND_JSON = "select canonical_json from orders where order_uid = ?";
  private static final String FIND_JSON_ALL =
      "select order_uid, canonical_json from orders where order_uid = any(?)";
  private static final String COUNT_UP_TO =
      "select count(*) from (select 1 from orders limit ?) up_to";

  private final DataSource dataSource;
  private final DSLContext db;

  /**
   * Whether a recent batch met uids that were stored already (a redelivery, a replay, a re-sent
   * order): then batches look them up before copying rather than fail and run again. Only a hint,
   * shared by every caller without locking.
   */
  private volatile boolean storedUidsSeenLately;

  private final OrderCodec codec = OrderCodec.standard();
  private final int streamFetchRows;

  /**
   * @param dataSource where connections come from, e.g. {@link OrderDatabase#pool}; the caller
   *     keeps ownership and closes it
   */
  public PostgresOrderStore(DataSource dataSource) {
    this(dataSource, STREAM_FETCH_ROWS);
  }

  /** For tests: a small fetch makes orders straddle fetches. */
  PostgresOrderStore(DataSource dataSource, int streamFetchRows) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
    this.streamFetchRows = streamFetchRows;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The orders are expected to be valid ({@code OrderValidator}); a missing string field makes
   * the batch fail with a permanent {@link OrderStoreException}. Each order's {@code created_at} is
   * the instant of its {@code date_created} ({@link dev.orderservice.domain.OrderDates#instant}).
   *
   * @throws NullPointerException if an order lacks its uid, delivery or payment; nothing is written
   * @throws IllegalArgumentException if an order's {@code date_created} is not {@linkplain
   *     dev.orderservice.domain.OrderDates#isValid valid}; nothing is written
   */
  @Override
  public List<SaveResult> saveAll(List<EncodedOrder> batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      return List.of();
    }
    BatchSave save = new BatchSave(batch);
    return StoreFailures.call("save a batch of " + batch.size() + " orders", () -> saveAll(save));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One primary-key lookup of one column. A row stored without its canonical JSON (before the V2
   * migration's backfill reached it, or by an instance of an earlier version) is rebuilt from the
   * normalized tables instead, in one more query.
   */
  @Override
  public Optional<byte[]> findJson(String orderUid) {
    Objects.requireNonNull(orderUid, "orderUid");
    return StoreFailures.call(
        "read an order",
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement select = binaryResults(c.prepareStatement(FIND_JSON))) {
            select.setString(1, orderUid);
            try (ResultSet row = select.executeQuery()) {
              if (!row.next()) {
                return Optional.empty();
              }
              byte[] json = row.getBytes(1);
              if (json != null) {
                return Optional.of(json);
              }
            }
          }
          return rebuild(orderUid);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>One query by primary key for all of them; rows without their canonical JSON yet are rebuilt
   * one by one, as {@link #findJson} does.
   */
  @Override
  public Map<String, byte[]> findJsonAll(Collection<String> orderUids) {
    Objects.requireNonNull(orderUids, "orderUids");
    if (orderUids.isEmpty()) {
      return Map.of();
    }
    Map<String, byte[]> found = new HashMap<>();
    List<String> withoutJson = new ArrayList<>(0);
    StoreFailures.call(
        "read orders",
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement select = binaryResults(c.prepareStatement(FIND_JSON_ALL))) {
            select.setArray(1, c.createArrayOf("varchar", orderUids.toArray()));
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                byte[] json = rows.getBytes(2);
                if (json == null) {
                  withoutJson.add(rows.getString(1));
                } else {
                  found.put(rows.getString(1), json);
                }
              }
            }
          }
          for (String uid : withoutJson) {
            rebuild(uid).ifPresent(json -> found.put(uid, json));
          }
          return null;
        });
    return found;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One binary {@code COPY} of a query down the {@code id} index, newest first, limited to
   * {@code limit} rows ({@link NewestOrdersCopy}), so the cost is set by {@code limit}, not by how
   * many orders are stored. Rows without their canonical JSON yet are skipped (a lookup rebuilds
   * them).
   */
  @Override
  public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
    requireNonNegative(limit);
    Objects.requireNonNull(sink, "sink");
    if (limit == 0) {
      return 0;
    }
    return StoreFailures.call(
        "stream the newest orders",
        () -> {
          try (Connection c = dataSource.getConnection()) {
            return NewestOrdersCopy.stream(c, limit, sink, this::discard);
          }
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads at most {@code limit} index entries.
   */
  @Override
  public long countUpTo(long limit) {
    requireNonNegative(limit);
    return StoreFailures.call(
        "count orders",
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement select = c.prepareStatement(COUNT_UP_TO)) {
            select.setLong(1, limit);
            try (ResultSet row = select.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        });
  }

  /**
   * Feeds every stored order to {@code sink}, oldest first, rebuilt from the normalized tables, in
   * one streaming pass with constant memory: one query read through a server-side cursor, 2,000
   * rows a fetch, inside a read-only transaction, so it holds one connection for the whole pass.
   * The sink runs on the caller's thread; an exception it throws ends the pass and propagates. For
   * benchmarks and tests, which compare what it rebuilds with what was stored.
   *
   * @return how many orders were fed
   * @throws OrderStoreException if the database failed
   */
  public long streamAll(Consumer<EncodedOrder> sink) {
    Objects.requireNonNull(sink, "sink");
    return StoreFailures.call(
        "stream all orders", () -> db.transactionResult(tx -> streamAll(tx.dsl(), sink)));
  }

  /**
   * How many orders are stored: a count of every row, whose cost grows with the table. For
   * benchmarks and tests.
   *
   * @throws OrderStoreException if the database failed
   */
  public long count() {
    return StoreFailures.call(
        "count orders", () -> db.selectCount().from(ORDERS).fetchSingle(0, Long.class));
  }

  /**
   * One query, read through a cursor a fetch at a time. A declared cursor rather than the driver's
   * fetch size: PostgreSQL plans a declared cursor for fetching a part at a time (an index scan in
   * insertion order with nested loops, rows flow at once), whereas a query sent with a fetch size
   * is planned for the whole result (hash joins and a sort of every row, spilled to disk, before
   * the first row comes back).
   */
  private long streamAll(DSLContext tx, Consumer<EncodedOrder> sink) throws SQLException {
    tx.execute("set transaction read only");
    tx.execute(
        "declare order_stream no scroll cursor for {0}",
        OrderRows.select(tx).orderBy(ORDERS.ID, ITEMS.POSITION));
    OrderRows.Assembler assembler = new OrderRows.Assembler(o -> sink.accept(codec.encoded(o)));
    int read;
    do {
      try (ResultSet rows =
          tx.resultQuery("fetch forward " + streamFetchRows + " from order_stream")
              .fetchResultSet()) {
        read = assembler.read(rows);
      }
    } while (read > 0);
    return assembler.finish();
  }

  /**
   * Runs the batch in a transaction of its own, first optimistically (no lookup of stored uids)
   * unless the last batch met stored ones; a batch that meets a stored uid, or loses a race with
   * another writer, is rolled back and run again the next safer way (see {@link BatchSave}).
   */
  private List<SaveResult> saveAll(BatchSave save) throws SQLException {
    Mode mode = storedUidsSeenLately ? Mode.LOOK_UP_FIRST : Mode.OPTIMISTIC;
    while (true) {
      Mode attempt = mode;
      try {
        List<SaveResult> results = inTransaction(c -> save.run(c, attempt));
        if (attempt != Mode.OPTIMISTIC) {
          storedUidsSeenLately = save.foundStored();
        }
        return results;
      } catch (SQLException e) {
        if (!BatchSave.lostARace(e) || attempt == Mode.ALONE) {
          throw e;
        }
        storedUidsSeenLately = true;
        mode = attempt == Mode.OPTIMISTIC ? Mode.LOOK_UP_FIRST : Mode.ALONE;
      }
    }
  }

  private <T> T inTransaction(Transaction<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private Optional<byte[]> rebuild(String orderUid) throws SQLException {
    List<Order> found = new ArrayList<>(1);
    try (ResultSet rows =
        OrderRows.select(db)
            .where(ORDERS.ORDER_UID.eq(orderUid))
            .orderBy(ITEMS.POSITION)
            .fetchResultSet()) {
      OrderRows.Assembler assembler = new OrderRows.Assembler(found::add);
      assembler.read(rows);
      assembler.finish();
    }
    return found.stream().findFirst().map(codec::encode);
  }

  /**
   * {@code statement}, prepared on the server and answered in binary from its first execution on
   * (pgjdbc's threshold of -1), not from its fifth: bytea then arrives as it is stored, not as hex
   * text twice its size to decode, on every connection of the pool from the first lookup on. pgjdbc
   * keeps the prepared statement per connection, so this costs nothing after the first.
   */
  private static PreparedStatement binaryResults(PreparedStatement statement) throws SQLException {
    statement.unwrap(PGStatement.class).setPrepareThreshold(-1);
    return statement;
  }

  /** Keeps a connection left in an unusable state from going back into the pool. */
  private void discard(Connection c) {
    if (dataSource instanceof HikariDataSource pool) {
      pool.evictConnection(c);
      return;
    }
    try {
      c.abort(Runnable::run);
    } catch (SQLException e) {
      // closed already, or unable to: either way it is not used again by us
    }
  }

  private static void requireNonNegative(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, was " + limit);
    }
  }

  /** Work on a connection in a transaction, committed when it returns. */
  @FunctionalInterface
  private interface Transaction<T> {
    T run(Connection c) throws SQLException;
  }
}
