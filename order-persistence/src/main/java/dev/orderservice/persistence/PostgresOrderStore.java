package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;
import static dev.orderservice.persistence.jooq.Tables.PAYMENT;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.SaveResult;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * {@link OrderStore} on PostgreSQL, in the schema of the {@code db} module's migrations (run them
 * first with {@link Migrations#migrate}). Table names are not qualified: the connections' {@code
 * search_path} decides which schema is used.
 *
 * <p>Every method blocks on the database and borrows a connection from the given {@link DataSource}
 * for the duration of the call only; the store itself holds no connection and needs no closing.
 * Instances are immutable and thread safe; share one. Database failures surface as {@link
 * OrderStoreException}, transient when the database is unreachable, overloaded, restarting, or the
 * transaction lost a deadlock or serialization race.
 *
 * <ul>
 *   <li>{@link #saveAll} runs one transaction of at most five statements, whatever the batch size.
 *   <li>{@link #findJson} is one query; the JSON is the canonical encoding of the rebuilt order,
 *       byte for byte what {@link OrderCodec#encode} produced when the order was saved.
 *   <li>{@link #streamAll} is one query read through a server-side cursor, 2,000 rows a fetch,
 *       inside a read-only transaction, so it holds one connection for the whole pass; the sink
 *       runs on the caller's thread, and an exception it throws ends the pass and propagates.
 * </ul>
 */
public final class PostgresOrderStore implements OrderStore {

  /** Rows per cursor fetch: an order is one row per item, 1 to 5 rows in practice. */
  private static final int STREAM_FETCH_ROWS = 2_000;

  private final DSLContext db;
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
    Objects.requireNonNull(dataSource, "dataSource");
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
    this.streamFetchRows = streamFetchRows;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The orders are expected to be valid ({@code OrderValidator}); a missing string field makes
   * the batch fail with a permanent {@link OrderStoreException}.
   *
   * @throws NullPointerException if an order lacks its uid, delivery or payment; nothing is written
   */
  @Override
  public List<SaveResult> saveAll(List<EncodedOrder> batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      return List.of();
    }
    BatchSave save = new BatchSave(batch);
    return call(
        "save a batch of " + batch.size() + " orders",
        () -> db.transactionResult(tx -> save.run(tx.dsl())));
  }

  @Override
  public Optional<byte[]> findJson(String orderUid) {
    Objects.requireNonNull(orderUid, "orderUid");
    List<Order> found = new ArrayList<>(1);
    call(
        "read an order",
        () -> {
          try (ResultSet rows =
              OrderRows.select(db)
                  .where(ORDERS.ORDER_UID.eq(orderUid))
                  .orderBy(ITEMS.POSITION)
                  .fetchResultSet()) {
            OrderRows.Assembler assembler = new OrderRows.Assembler(found::add);
            assembler.read(rows);
            return assembler.finish();
          }
        });
    return found.stream().findFirst().map(codec::encode);
  }

  @Override
  public long streamAll(Consumer<EncodedOrder> sink) {
    Objects.requireNonNull(sink, "sink");
    return call("stream all orders", () -> db.transactionResult(tx -> streamAll(tx.dsl(), sink)));
  }

  @Override
  public long count() {
    return call("count orders", () -> db.selectCount().from(ORDERS).fetchSingle(0, Long.class));
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<OrderSummary> recent(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, was " + limit);
    }
    if (limit == 0) {
      return List.of();
    }
    return call(
        "list recent orders",
        () ->
            db.select(
                    ORDERS.ORDER_UID,
                    ORDERS.DATE_CREATED,
                    PAYMENT.AMOUNT,
                    PAYMENT.CURRENCY,
                    DSL.field(
                        DSL.selectCount().from(ITEMS).where(ITEMS.ORDER_UID.eq(ORDERS.ORDER_UID))))
                .from(ORDERS)
                .join(PAYMENT)
                .on(PAYMENT.ORDER_UID.eq(ORDERS.ORDER_UID))
                .orderBy(ORDERS.ID.desc())
                .limit(limit)
                .fetch(
                    r ->
                        new OrderSummary(
                            r.value1(), r.value2(), r.value3(), r.value4(), r.value5())));
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

  private static <T> T call(String what, DatabaseWork<T> work) {
    try {
      return work.run();
    } catch (DataAccessException | SQLException e) {
      throw StoreFailures.translate(what, e);
    }
  }

  /** A call on the database that may fail with jOOQ's or JDBC's exception. */
  @FunctionalInterface
  private interface DatabaseWork<T> {
    T run() throws SQLException;
  }
}
