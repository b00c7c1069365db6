package dev.orderservice.persistence;

import static dev.orderservice.persistence.OrderSummaries.timestamptz;
import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderSummary;
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
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.postgresql.PGStatement;

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
 *   <li>{@link #saveAll} runs one transaction of at most six statements whatever the batch size: a
 *       binary {@code COPY} into each table, after a lookup of the uids already stored when the
 *       batch is likely to hold some (see {@link BatchSave}), and a {@code NOTIFY} of the orders it
 *       inserted on {@value StoredOrdersListener#CHANNEL} ({@link StoredOrdersListener}), which
 *       PostgreSQL delivers when the transaction commits and drops if it does not. It writes each
 *       order's canonical JSON and the instant of its {@code date_created} beside its normalized
 *       rows.
 *   <li>{@link #findJson} is one primary-key lookup of that JSON, byte for byte what {@link
 *       OrderCodec#encode} produced when the order was saved.
 *   <li>{@link #streamNewest} reads the stored JSON newest first, a page at a time, up to a limit.
 *   <li>{@link #search} reads one page of order summaries that match a query, one query per page.
 *   <li>{@link #streamAll} rebuilds every order from the normalized tables; it is one query read
 *       through a server-side cursor, 2,000 rows a fetch, inside a read-only transaction, so it
 *       holds one connection for the whole pass; the sink runs on the caller's thread, and an
 *       exception it throws ends the pass and propagates.
 * </ul>
 */
public final class PostgresOrderStore implements OrderStore {

  /** Rows per cursor fetch: an order is one row per item, 1 to 5 rows in practice. */
  private static final int STREAM_FETCH_ROWS = 2_000;

  /** Orders per page of {@link #streamNewest}: about 3 MB of JSON. */
  static final int NEWEST_PAGE_ROWS = 2_000;

  // The hot paths are plain prepared statements: pgjdbc prepares each once per connection.
  private static final String FIND_JSON = "select canonical_json from orders where order_uid = ?";
  private static final String FIND_JSON_ALL =
      "select order_uid, canonical_json from orders where order_uid = any(?)";
  private static final String NEWEST_PAGE =
      "select id, order_uid, canonical_json from orders where id < ? order by id desc limit ?";
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

  /** The SQL of each shape of search, by {@link #searchSql}'s bits; filled as shapes are used. */
  private final AtomicReferenceArray<String> searchSql = new AtomicReferenceArray<>(32);

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
    return call("save a batch of " + batch.size() + " orders", () -> saveAll(save));
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
    return call(
        "read an order",
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement select = c.prepareStatement(FIND_JSON)) {
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
    call(
        "read orders",
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement select = c.prepareStatement(FIND_JSON_ALL)) {
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
   * <p>Pages of {@value #NEWEST_PAGE_ROWS} rows down the {@code id} index, each one short query on
   * one connection, so the cost is set by {@code limit}, not by how many orders are stored, and no
   * transaction stays open for the whole pass. Rows without their canonical JSON yet are skipped (a
   * lookup rebuilds them).
   */
  @Override
  public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
    requireNonNegative(limit);
    Objects.requireNonNull(sink, "sink");
    if (limit == 0) {
      return 0;
    }
    return call("stream the newest orders", () -> streamNewestPages(limit, sink));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads at most {@code limit} index entries.
   */
  @Override
  public long countUpTo(long limit) {
    requireNonNegative(limit);
    return call(
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
   * <p>One query: the orders that match, newest first by {@code (created_at, id)} descending, from
   * the position after the cursor ({@code (created_at, id) < (cursor)}, a row comparison that the
   * index reads as the start of a range), {@code limit + 1} of them to know whether a next page
   * exists. Migration V4 has an index for each kind of search, so a page reads one index range and
   * about {@code limit} rows of each table whatever the filters or the page number: no offset, no
   * sort of all matches. A track number and a customer together read the index of the more
   * selective of the two (the planner's choice; usually the track number's) and filter by the
   * other.
   *
   * <p>Rows whose {@code created_at} is still empty are not found: rows stored by an instance of an
   * earlier version during a rolling upgrade, until the next start's backfill ({@link
   * Migrations#migrate}) fills them, and rows whose {@code date_created} today's rules refuse.
   * Instants in the query beyond what PostgreSQL holds (before 4714 BC, after 294276 AD) are taken
   * as its earliest and latest.
   *
   * @throws OrderStoreException if the database failed
   */
  @Override
  public OrderPage search(OrderQuery query) {
    Objects.requireNonNull(query, "query");
    return call("search orders", () -> searchPage(query));
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

  /**
   * A plain prepared statement: the SQL of {@link #searchQuery} for the query's shape, rendered
   * once, and its values bound by hand. Building and rendering the jOOQ query for every search cost
   * more CPU than PostgreSQL's own work on the page.
   */
  private OrderPage searchPage(OrderQuery query) throws SQLException {
    List<Object> values = searchValues(query);
    String sql = searchSql(query, values);
    List<OrderSummary> page = new ArrayList<>(query.limit());
    OrderCursor last = null;
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement(sql)) {
      // Planned for its values every time, never by a cached generic plan: which index serves a
      // search depends on them (a customer's 50 orders, or a range holding a million), and a
      // generic plan picked for one shape of values reads far too much for another.
      select.unwrap(PGStatement.class).setPrepareThreshold(0);
      for (int i = 0; i < values.size(); i++) {
        select.setObject(i + 1, values.get(i));
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          if (page.size() == query.limit()) {
            return new OrderPage(page, Optional.of(last));
          }
          page.add(OrderSummaries.summary(rows));
          last = OrderSummaries.position(rows);
        }
      }
    }
    return new OrderPage(page, Optional.empty());
  }

  /** The values of {@link #searchQuery}'s placeholders, in their order there. */
  private static List<Object> searchValues(OrderQuery query) {
    List<Object> values = new ArrayList<>(7);
    query.trackNumber().ifPresent(values::add);
    query.customerId().ifPresent(values::add);
    query.from().ifPresent(from -> values.add(timestamptz(from)));
    query.to().ifPresent(to -> values.add(timestamptz(to)));
    query
        .after()
        .ifPresent(
            after -> {
              values.add(timestamptz(after.createdAt()));
              values.add(after.sequence());
            });
    values.add(query.limit() + 1L); // jOOQ binds a limit as a long
    return values;
  }

  /**
   * The SQL of {@link #searchQuery} for the shape of {@code query} (which filters it has, whether
   * it has a cursor), rendered with {@code ?} placeholders the first time that shape is searched;
   * the placeholders are checked then against {@link #searchValues}, so the two cannot drift apart.
   */
  private String searchSql(OrderQuery query, List<Object> values) {
    int shape =
        (query.trackNumber().isPresent() ? 1 : 0)
            | (query.customerId().isPresent() ? 2 : 0)
            | (query.from().isPresent() ? 4 : 0)
            | (query.to().isPresent() ? 8 : 0)
            | (query.after().isPresent() ? 16 : 0);
    String sql = searchSql.get(shape);
    if (sql == null) {
      ResultQuery<Record> rendered = searchQuery(query);
      if (!rendered.getBindValues().equals(values)) {
        throw new IllegalStateException(
            "the search's placeholders are not the values bound: " + rendered.getBindValues());
      }
      sql = rendered.getSQL(ParamType.INDEXED);
      searchSql.set(shape, sql);
    }
    return sql;
  }

  /** The query of one page of a search: {@code limit + 1} rows, to know whether more match. */
  ResultQuery<Record> searchQuery(OrderQuery query) {
    List<Condition> where = new ArrayList<>(5);
    where.add(ORDERS.CREATED_AT.isNotNull());
    query.trackNumber().ifPresent(track -> where.add(ORDERS.TRACK_NUMBER.eq(track)));
    query.customerId().ifPresent(customer -> where.add(ORDERS.CUSTOMER_ID.eq(customer)));
    query.from().ifPresent(from -> where.add(ORDERS.CREATED_AT.ge(timestamptz(from))));
    query.to().ifPresent(to -> where.add(ORDERS.CREATED_AT.lt(timestamptz(to))));
    query
        .after()
        .ifPresent(
            after ->
                where.add(
                    DSL.row(ORDERS.CREATED_AT, ORDERS.ID)
                        .lt(timestamptz(after.createdAt()), after.sequence())));
    return OrderSummaries.select(db)
        .where(where)
        .orderBy(ORDERS.CREATED_AT.desc(), ORDERS.ID.desc())
        .limit(query.limit() + 1);
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

  private long streamNewestPages(long limit, BiConsumer<String, byte[]> sink) throws SQLException {
    long fed = 0;
    long below = Long.MAX_VALUE;
    try (Connection c = dataSource.getConnection();
        PreparedStatement page = c.prepareStatement(NEWEST_PAGE)) {
      // Binary results from the first page on: bytea then arrives as it is stored, not as hex
      // text to decode.
      page.unwrap(PGStatement.class).setPrepareThreshold(-1);
      while (fed < limit) {
        int want = (int) Math.min(NEWEST_PAGE_ROWS, limit - fed);
        page.setLong(1, below);
        page.setInt(2, want);
        int rows = 0;
        try (ResultSet r = page.executeQuery()) {
          while (r.next()) {
            below = r.getLong(1);
            rows++;
            byte[] json = r.getBytes(3);
            if (json != null) {
              sink.accept(r.getString(2), json);
              fed++;
            }
          }
        }
        if (rows < want) {
          break;
        }
      }
    }
    return fed;
  }

  private static void requireNonNegative(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, was " + limit);
    }
  }

  private static <T> T call(String what, DatabaseWork<T> work) {
    try {
      return work.run();
    } catch (DataAccessException | SQLException e) {
      throw StoreFailures.translate(what, e);
    }
  }

  /** Work on a connection in a transaction, committed when it returns. */
  @FunctionalInterface
  private interface Transaction<T> {
    T run(Connection c) throws SQLException;
  }

  /** A call on the database that may fail with jOOQ's or JDBC's exception. */
  @FunctionalInterface
  private interface DatabaseWork<T> {
    T run() throws SQLException;
  }
}
