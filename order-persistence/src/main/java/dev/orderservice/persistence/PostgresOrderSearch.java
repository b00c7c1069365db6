package dev.orderservice.persistence;

import static dev.orderservice.persistence.OrderSummaries.timestamptz;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderSearch;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Param;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.postgresql.PGStatement;

/**
 * {@link OrderSearch} on PostgreSQL, over the tables {@link PostgresOrderStore} writes (run {@link
 * Migrations#migrate} first). Each search is one query: the orders that match, newest first by
 * {@code (created_at, id)} descending, from the position after the cursor ({@code (created_at, id)
 * < (cursor)}, a row comparison that the index reads as the start of a range), {@code limit + 1} of
 * them to know whether a next page exists. Migration V6 has a covering index for each kind of
 * search, so a page reads one index range and about {@code limit} index entries whatever the
 * filters or the page number: no offset, no sort of all matches. A track number and a customer
 * together read the index of the more selective of the two (the planner's choice; usually the track
 * number's) and filter by the other.
 *
 * <p>Rows whose {@code created_at} is still empty are not found: rows stored by an instance of an
 * earlier version during a rolling upgrade, until the next start's backfill ({@link
 * Migrations#migrate}) fills them, and rows whose {@code date_created} today's rules refuse.
 * Instants in the query beyond what PostgreSQL holds (before 4714 BC, after 294276 AD) are taken as
 * its earliest and latest.
 *
 * <p>Each shape of search is a statement prepared on the server once per connection. Give it the
 * connections of {@link OrderDatabase#searchPool}, which run it by its generic plan, planned once:
 * on other connections PostgreSQL's default plans a search of a range of days alone anew every time
 * (the same plan, at several times the cost of the search itself).
 *
 * <p>Every search blocks on the database and borrows a connection from the given {@link DataSource}
 * for the duration of the call only. Instances are thread safe; share one. Database failures
 * surface as {@link OrderStoreException}, as {@link PostgresOrderStore}'s do.
 */
public final class PostgresOrderSearch implements OrderSearch {

  /** The values a search binds, each named once with where it comes from in the query. */
  private static final Bound<String> TRACK_NUMBER =
      new Bound<>(
          "track_number", ORDERS.TRACK_NUMBER.getDataType(), q -> q.trackNumber().orElseThrow());

  private static final Bound<String> CUSTOMER_ID =
      new Bound<>(
          "customer_id", ORDERS.CUSTOMER_ID.getDataType(), q -> q.customerId().orElseThrow());
  private static final Bound<OffsetDateTime> FROM =
      new Bound<>(
          "from", ORDERS.CREATED_AT.getDataType(), q -> timestamptz(q.from().orElseThrow()));
  private static final Bound<OffsetDateTime> TO =
      new Bound<>("to", ORDERS.CREATED_AT.getDataType(), q -> timestamptz(q.to().orElseThrow()));
  private static final Bound<OffsetDateTime> AFTER_CREATED_AT =
      new Bound<>(
          "after_created_at",
          ORDERS.CREATED_AT.getDataType(),
          q -> timestamptz(q.after().orElseThrow().createdAt()));
  private static final Bound<Long> AFTER_ID =
      new Bound<>("after_id", ORDERS.ID.getDataType(), q -> q.after().orElseThrow().sequence());

  /** {@code limit + 1} rows, to know whether more match. */
  private static final Bound<Long> ROWS =
      new Bound<>("rows", SQLDataType.BIGINT, q -> q.limit() + 1L);

  private static final Map<String, Bound<?>> BY_NAME =
      Stream.of(TRACK_NUMBER, CUSTOMER_ID, FROM, TO, AFTER_CREATED_AT, AFTER_ID, ROWS)
          .collect(Collectors.toUnmodifiableMap(Bound::name, b -> b));

  /** What a search may filter on: when each filter applies, and the condition it adds. */
  private static final List<Filter> FILTERS =
      List.of(
          new Filter(
              q -> q.trackNumber().isPresent(), b -> ORDERS.TRACK_NUMBER.eq(b.of(TRACK_NUMBER))),
          new Filter(
              q -> q.customerId().isPresent(), b -> ORDERS.CUSTOMER_ID.eq(b.of(CUSTOMER_ID))),
          new Filter(q -> q.from().isPresent(), b -> ORDERS.CREATED_AT.ge(b.of(FROM))),
          new Filter(q -> q.to().isPresent(), b -> ORDERS.CREATED_AT.lt(b.of(TO))),
          new Filter(
              q -> q.after().isPresent(),
              b ->
                  DSL.row(ORDERS.CREATED_AT, ORDERS.ID)
                      .lt(b.of(AFTER_CREATED_AT), b.of(AFTER_ID))));

  private final DataSource dataSource;
  private final DSLContext db;

  /** The statement of each shape of search, by the bits of {@link #shapeOf}; filled as used. */
  private final AtomicReferenceArray<Statement> statements =
      new AtomicReferenceArray<>(1 << FILTERS.size());

  /**
   * @param dataSource where connections come from, best {@link OrderDatabase#searchPool}; the
   *     caller keeps ownership and closes it
   */
  public PostgresOrderSearch(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
  }

  /**
   * {@inheritDoc}
   *
   * @throws OrderStoreException if the database failed
   */
  @Override
  public OrderPage search(OrderQuery query) {
    Objects.requireNonNull(query, "query");
    return StoreFailures.call("search orders", () -> page(query));
  }

  /**
   * A plain prepared statement: the SQL of {@link #query} for the query's shape, rendered once, and
   * its values bound in the order of its placeholders. Building and rendering the jOOQ query for
   * every search cost more CPU than PostgreSQL's own work on the page.
   */
  private OrderPage page(OrderQuery query) throws SQLException {
    Statement statement = statement(query);
    List<OrderSummary> page = new ArrayList<>(query.limit());
    OrderCursor last = null;
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement(statement.sql())) {
      // Prepared on the server from the first search of its shape on a connection, and answered
      // in binary: planning the statement for every search cost PostgreSQL six times the page's
      // reading. On OrderDatabase.searchPool's connections it runs by its generic plan from the
      // first search: each shape has one index that answers it in one range read whatever the
      // values (V6), for a customer with one order and for one with a hundred thousand alike
      // (SearchPlansTest shows the plans on such data).
      select.unwrap(PGStatement.class).setPrepareThreshold(-1);
      List<Bound<?>> values = statement.values();
      for (int i = 0; i < values.size(); i++) {
        select.setObject(i + 1, values.get(i).value().apply(query));
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

  /**
   * The statement of {@code query}'s shape (which filters apply): rendered with a named parameter
   * for each value the first time that shape is searched, its values then listed in the order jOOQ
   * binds those parameters, so that the SQL and the values bound cannot drift apart.
   */
  Statement statement(OrderQuery query) {
    int shape = shapeOf(query);
    Statement statement = statements.get(shape);
    if (statement == null) {
      ResultQuery<Record> rendered = query(query, PARAMETERS);
      List<Bound<?>> values =
          rendered.getParams().keySet().stream().<Bound<?>>map(PostgresOrderSearch::bound).toList();
      statement = new Statement(rendered.getSQL(ParamType.INDEXED), values);
      statements.set(shape, statement);
    }
    return statement;
  }

  /**
   * The statement that searches of {@code query}'s shape run: its SQL with a {@code ?} for each
   * value, and the names of those values in the order of their placeholders ({@code track_number},
   * {@code customer_id}, {@code from}, {@code to}, {@code after_created_at}, {@code after_id}, and
   * {@code rows}, the page's size plus one). For tools that run the very same statement outside the
   * service, such as pgbench in {@code bench/run search}.
   */
  public SearchSql sql(OrderQuery query) {
    Statement statement = statement(query);
    return new SearchSql(statement.sql(), statement.values().stream().map(Bound::name).toList());
  }

  /**
   * The SQL of a shape of search and the names of its values, in the order of its placeholders.
   *
   * @param sql the statement, with a {@code ?} for each value
   * @param parameters the name of each placeholder's value, in order
   */
  public record SearchSql(String sql, List<String> parameters) {}

  /**
   * The query of one page of a search with its values bound, as {@link #search} runs it: for tests
   * that look at its plan.
   */
  ResultQuery<Record> query(OrderQuery query) {
    return query(
        query,
        new Binder() {
          @Override
          public <T> Param<T> of(Bound<T> bound) {
            return DSL.val(bound.value().apply(query), bound.type());
          }
        });
  }

  private ResultQuery<Record> query(OrderQuery query, Binder binder) {
    List<Condition> where = new ArrayList<>(1 + FILTERS.size());
    where.add(ORDERS.CREATED_AT.isNotNull());
    for (Filter filter : FILTERS) {
      if (filter.applies().test(query)) {
        where.add(filter.condition().apply(binder));
      }
    }
    return OrderSummaries.select(db)
        .where(where)
        .orderBy(ORDERS.CREATED_AT.desc(), ORDERS.ID.desc())
        .limit(binder.of(ROWS));
  }

  private static int shapeOf(OrderQuery query) {
    int shape = 0;
    for (int i = 0; i < FILTERS.size(); i++) {
      if (FILTERS.get(i).applies().test(query)) {
        shape |= 1 << i;
      }
    }
    return shape;
  }

  private static Bound<?> bound(String name) {
    Bound<?> bound = BY_NAME.get(name);
    if (bound == null) {
      throw new IllegalStateException("a search binds a value it does not name: " + name);
    }
    return bound;
  }

  /**
   * The SQL of one shape of search and what is bound to its placeholders, in their order.
   *
   * @param values the value of each placeholder, in order
   */
  record Statement(String sql, List<Bound<?>> values) {}

  /**
   * A value a search binds: its parameter's name and type, and where it comes from in the query.
   */
  record Bound<T>(String name, DataType<T> type, Function<OrderQuery, T> value) {}

  /** What stands in a condition for a bound value: a named parameter, or the value itself. */
  private interface Binder {
    <T> Param<T> of(Bound<T> bound);
  }

  /** A named parameter for each value: a shape's SQL. */
  private static final Binder PARAMETERS =
      new Binder() {
        @Override
        public <T> Param<T> of(Bound<T> bound) {
          return DSL.param(bound.name(), bound.type());
        }
      };

  /** A filter of a search: when it applies, and the condition it adds. */
  private record Filter(Predicate<OrderQuery> applies, Function<Binder, Condition> condition) {}
}
