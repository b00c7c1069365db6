package dev.orderservice.persistence;

import static dev.orderservice.domain.OrderCopies.withHeader;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.RandomOrders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plans stay right for skewed data: a customer with 100,000 orders and a customer with one both
 * answer a page of every kind of search in one range read of that kind's covering index (V6), with
 * the statement prepared the way {@link PostgresOrderSearch} prepares it on the server.
 *
 * <p>Why it needs showing: the searches are server-side named prepared statements (pgjdbc, prepare
 * threshold -1) on the connections of {@link OrderDatabase#searchPool}, which run every prepared
 * statement by its generic plan ({@code plan_cache_mode = force_generic_plan}): one plan per
 * connection and shape, made without the values, for every customer alike. A generic plan is chosen
 * from average statistics; on skewed data (one customer holding most of the orders) it could have
 * been a plan that suits the average customer but reads the big one's orders by the hundred
 * thousand, or a bitmap scan and a sort. Each shape of search here is run on a search pool of one
 * connection ({@code pg_prepared_statements} then shows the statement and that every execution ran
 * the generic plan), then the very SQL of that statement is prepared with the parameter types
 * pgjdbc sent and EXPLAIN ANALYZE runs it for the big and the small customer, with the generic plan
 * forced as the search pool does, and in PostgreSQL's default {@code auto} after six executions
 * (which shows why the pool forces it: see {@link #kinds}). Every plan must be an index-only scan
 * of the shape's index that reads at most a page and one row: no sequential scan, no bitmap, no
 * sort. The plans are printed.
 *
 * <p>The data: 100,000 orders of one customer, one order of another, and 20,000 orders of 2,000
 * other customers, over a year, track numbers unique but for one shared by 50 orders. Three orders
 * are saved through {@link PostgresOrderStore}; the rest are SQL copies of their rows (every column
 * the store writes, summary copies, payment, delivery and items included) under other uids,
 * customers, track numbers and instants: saving 120,000 orders one by one would take minutes.
 */
class SearchPlansTest {

  private static final String BIG = "customer-big";
  private static final String ONE = "customer-one";
  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration DAY = Duration.ofDays(1);
  private static final int LIMIT = OrderQuery.DEFAULT_LIMIT;

  /** A scan node's actual row count in EXPLAIN ANALYZE's text. */
  private static final Pattern ACTUAL_ROWS = Pattern.compile("actual time=\\S+ rows=(\\d+)");

  /** The first node's (the Limit's, so the whole execution's) shared buffers. */
  private static final Pattern BUFFERS =
      Pattern.compile("Buffers: shared(?: hit=(\\d+))?(?: read=(\\d+))?");

  private static TestSchema schema;

  /** One connection: the searches' prepared statements all live on it. */
  private static HikariDataSource oneConnection;

  private static PostgresOrderSearch search;

  @BeforeAll
  static void loadSkewedOrders() {
    schema = TestSchema.migrated("plans");
    RandomOrders random = new RandomOrders(20_261_206L);
    List<Order> templates = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      templates.add(
          withHeader(random.next(), "TEMPLATE-" + i, "WBIL", START.toString())
              .withCustomerId("template-" + i));
    }
    OrderCodec codec = OrderCodec.standard();
    new PostgresOrderStore(schema.dataSource())
        .saveAll(templates.stream().map(codec::encoded).toList());
    // Copy n of template n % 3: the big customer's orders, the one order of the other, the crowd.
    // Instants are spread over the year by a multiplier prime to its seconds.
    String year = Long.toString(Duration.ofDays(365).toSeconds());
    schema.execute(
        "create table clones as select 'clone-' || n as order_uid, t.order_uid as template_uid,"
            + " case when n <= 100000 then '"
            + BIG
            + "' when n = 100001 then '"
            + ONE
            + "' else 'customer-' || (n % 2000) end as customer_id,"
            + " case when n % 2400 = 0 then 'TRACK-SHARED' else 'TRK-' || n end as track_number,"
            + " case when n = 100001 then timestamptz '"
            + START.plus(DAY.multipliedBy(350))
            + "' else timestamptz '"
            + START
            + "' + make_interval(secs => (n::bigint * 7919) % "
            + year
            + ") end as created_at"
            + " from generate_series(1, 120001) n"
            + " join (select order_uid, row_number() over (order by id) - 1 as k from orders) t"
            + " on t.k = n % 3");
    schema.execute(
        "insert into orders (order_uid, track_number, entry, locale, internal_signature,"
            + " customer_id, delivery_service, shardkey, sm_id, date_created, oof_shard,"
            + " content_hash, canonical_json, created_at, amount, currency, item_count)"
            + " select c.order_uid, c.track_number, o.entry, o.locale, o.internal_signature,"
            + " c.customer_id, o.delivery_service, o.shardkey, o.sm_id,"
            + " to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
            + " o.oof_shard, o.content_hash, o.canonical_json, c.created_at, o.amount, o.currency,"
            + " o.item_count from clones c join orders o on o.order_uid = c.template_uid"
            + " order by c.created_at");
    schema.execute(
        "insert into delivery select c.order_uid, d.name, d.phone, d.zip, d.city, d.address,"
            + " d.region, d.email from clones c join delivery d on d.order_uid = c.template_uid");
    schema.execute(
        "insert into payment select c.order_uid, p.transaction, p.request_id, p.currency,"
            + " p.provider, p.amount, p.payment_dt, p.bank, p.delivery_cost, p.goods_total,"
            + " p.custom_fee from clones c join payment p on p.order_uid = c.template_uid");
    schema.execute(
        "insert into items select c.order_uid, i.position, i.chrt_id, i.track_number, i.price,"
            + " i.rid, i.name, i.sale, i.size, i.total_price, i.nm_id, i.brand, i.status"
            + " from clones c join items i on i.order_uid = c.template_uid");
    schema.execute("drop table clones");
    // VACUUM marks the pages all-visible and gathers the statistics, as autovacuum does live.
    schema.execute("vacuum analyze orders, delivery, payment, items");
    assertThat(schema.summaryMismatches()).isEmpty();

    oneConnection =
        OrderDatabase.searchPool(
            schema.jdbcUrl(), 1, "plans-one-connection", new SimpleMeterRegistry());
    search = new PostgresOrderSearch(oneConnection);
  }

  @AfterAll
  static void close() {
    if (oneConnection != null) {
      oneConnection.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  /**
   * A kind of search: the index that should answer it, and two queries of its shape, one for the
   * big side of the skew (the customer with 100,000 orders, a track of 50, a busy day, a deep
   * cursor) and one for the small side; and whether PostgreSQL settles on the generic plan in
   * {@code auto} (see {@link #kinds}).
   */
  record Kind(String name, String index, OrderQuery big, OrderQuery small, boolean settles) {
    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * The kinds of search. In PostgreSQL's default {@code auto}, a range of days alone would not
   * settle on the generic plan (which is why the search pool forces it), and that is PostgreSQL's
   * cost model, not a wrong plan: without the values it estimates a range of {@code created_at} at
   * 0.5% of the orders (600 here) and a LIMIT given as a parameter at 10% of those (60 rows), and
   * every row it expects to return costs it about 33 for the summary's fallback to payment and
   * items (three subplans that no row with its copies runs, see OrderSummaries). So the generic
   * plan (cost about 2,000) looks dearer than planning for the values (about 700 for the 21 rows of
   * a page), and every search of that shape is planned for its values: the same index range read,
   * as the plans show, at the price of planning it each time. The other kinds expect fewer than 21
   * rows without the values, and settle.
   */
  static Stream<Kind> kinds() {
    Instant end = START.plus(DAY.multipliedBy(365));
    Instant rangeFrom = START.plus(DAY.multipliedBy(100));
    Instant rangeTo = START.plus(DAY.multipliedBy(190));
    return Stream.of(
        new Kind(
            "customer",
            "orders_customer_id_summary",
            OrderQuery.builder().customerId(BIG).build(),
            OrderQuery.builder().customerId(ONE).build(),
            true),
        new Kind(
            "customer within 90 days",
            "orders_customer_id_summary",
            OrderQuery.builder()
                .customerId(BIG)
                .from(end.minus(DAY.multipliedBy(90)))
                .to(end)
                .build(),
            OrderQuery.builder()
                .customerId(ONE)
                .from(end.minus(DAY.multipliedBy(90)))
                .to(end)
                .build(),
            true),
        new Kind(
            "track number",
            "orders_track_number_summary",
            OrderQuery.builder().trackNumber("TRACK-SHARED").build(),
            OrderQuery.builder().trackNumber("TRK-77").build(),
            true),
        new Kind(
            "day range",
            "orders_created_at_summary",
            OrderQuery.builder().from(rangeFrom).to(rangeFrom.plus(DAY)).build(),
            OrderQuery.builder().from(START).to(START.plus(DAY)).build(),
            false),
        new Kind(
            "cursor within a range",
            "orders_created_at_summary",
            OrderQuery.builder()
                .from(rangeFrom)
                .to(rangeTo)
                .after(new OrderCursor(START.plus(DAY.multipliedBy(150)), 60_000))
                .build(),
            OrderQuery.builder()
                .from(rangeFrom)
                .to(rangeTo)
                .after(new OrderCursor(rangeFrom.plusSeconds(3_600), 5_000))
                .build(),
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void thePreparedStatementReadsOneIndexRangeForTheBigAndTheSmallAlike(Kind kind)
      throws SQLException {
    // Twelve searches, big and small in turn, on the one connection: pgjdbc prepares the
    // statement on the server at the first, and the search pool's connection runs it by its
    // generic plan every time.
    for (int i = 0; i < 12; i++) {
      OrderQuery query = i % 2 == 0 ? kind.big() : kind.small();
      OrderPage page = search.search(query);
      assertThat(page.orders()).as("%s: %s", kind, query).isNotEmpty();
    }
    assertThat(search.search(kind.big()).orders()).hasSize(kind.big().limit());
    String sql = numbered(search.statement(kind.big()).sql());

    Prepared prepared = preparedOnTheServer(sql);
    System.out.printf(
        "%s: %s, parameters %s: %d generic plans, %d custom plans%n",
        kind, prepared.name(), prepared.parameterTypes(), prepared.generic(), prepared.custom());
    assertThat(prepared.name()).as(kind.name()).startsWith("S_");

    try (Connection c = schema.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("prepare plans_test (" + prepared.parameterTypes() + ") as " + sql);
      try {
        // auto first, PostgreSQL's default: five custom plans, then its choice.
        for (int i = 0; i < 6; i++) {
          execute(s, kind, i % 2 == 0 ? kind.big() : kind.small());
        }
        String big = explain(s, kind, kind.big());
        String small = explain(s, kind, kind.small());
        assertReadsOneRange(kind, "auto, big", big);
        assertReadsOneRange(kind, "auto, small", small);
        // A generic plan shows the parameters, a custom one the values.
        assertThat(big.contains("$1"))
            .as("%s: auto ran the generic plan", kind)
            .isEqualTo(kind.settles());
        assertThat(small.contains("$1"))
            .as("%s: auto ran the generic plan", kind)
            .isEqualTo(kind.settles());
        s.execute("set plan_cache_mode = force_generic_plan");
        assertReadsOneRange(kind, "generic, big", explain(s, kind, kind.big()));
        assertReadsOneRange(kind, "generic, small", explain(s, kind, kind.small()));
      } finally {
        s.execute("reset plan_cache_mode");
        s.execute("deallocate plans_test");
      }
    }
    assertThat(prepared.generic())
        .as("%s: every search ran the generic plan (%s)", kind, prepared)
        .isEqualTo(13);
    assertThat(prepared.custom()).as("%s: no search was planned for its values", kind).isZero();
  }

  /** A statement prepared on the server, as {@code pg_prepared_statements} shows it. */
  private record Prepared(String name, String parameterTypes, long generic, long custom) {}

  /** The server's prepared statement of {@code sql} on the one connection the searches use. */
  private static Prepared preparedOnTheServer(String sql) throws SQLException {
    try (Connection c = oneConnection.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "select name, array_to_string(parameter_types, ','), generic_plans, custom_plans"
                    + " from pg_prepared_statements where statement = ?")) {
      select.setString(1, sql);
      try (ResultSet r = select.executeQuery()) {
        assertThat(r.next()).as("prepared on the server: %s", sql).isTrue();
        Prepared prepared =
            new Prepared(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4));
        assertThat(r.next()).as("prepared once: %s", sql).isFalse();
        return prepared;
      }
    }
  }

  private static void execute(Statement s, Kind kind, OrderQuery query) throws SQLException {
    try (ResultSet r = s.executeQuery("execute plans_test " + arguments(query))) {
      int rows = 0;
      while (r.next()) {
        rows++;
      }
      assertThat(rows).as("%s: %s", kind, query).isPositive();
    }
  }

  private static String explain(Statement s, Kind kind, OrderQuery query) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (ResultSet r =
        s.executeQuery(
            "explain (analyze, buffers, format text) execute plans_test " + arguments(query))) {
      while (r.next()) {
        plan.append(r.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }

  private static void assertReadsOneRange(Kind kind, String how, String plan) {
    System.out.printf("--- %s (%s):%n%s", kind, how, plan);
    String as = kind + " (" + how + "):\n" + plan;
    // The fallback to payment and items for rows without summary copies (OrderSummaries) is a
    // subplan that runs for such rows only: none here, so never executed.
    List<String> subplans = subplans(plan);
    assertThat(subplans.stream().filter(l -> l.contains("->")))
        .as(as)
        .isNotEmpty()
        .allMatch(l -> l.contains("(never executed)"));
    String reading = plan.lines().filter(l -> !subplans.contains(l)).collect(joining("\n"));
    assertThat(reading)
        .as(as)
        .contains("Index Only Scan using " + kind.index() + " on orders")
        .doesNotContain("Seq Scan")
        .doesNotContain("Sort")
        .doesNotContain("Bitmap");
    String scan =
        plan.lines().filter(l -> l.contains("Index Only Scan using")).findFirst().orElseThrow();
    Matcher rows = ACTUAL_ROWS.matcher(scan);
    assertThat(rows.find()).as(as).isTrue();
    assertThat(Long.parseLong(rows.group(1))).as(as).isBetween(1L, kind.big().limit() + 1L);
    Matcher buffers = BUFFERS.matcher(plan);
    assertThat(buffers.find()).as(as).isTrue();
    long hit = buffers.group(1) == null ? 0 : Long.parseLong(buffers.group(1));
    long read = buffers.group(2) == null ? 0 : Long.parseLong(buffers.group(2));
    assertThat(hit + read).as(as).isLessThan(50);
  }

  /** The lines of {@code plan}'s subplans: each "SubPlan" line and those indented under it. */
  private static List<String> subplans(String plan) {
    List<String> subplans = new ArrayList<>();
    int indent = -1;
    for (String line : plan.lines().toList()) {
      int at = line.length() - line.stripLeading().length();
      if (line.stripLeading().startsWith("SubPlan ")) {
        indent = at;
        subplans.add(line);
      } else if (indent >= 0 && at > indent) {
        subplans.add(line);
      } else {
        indent = -1;
      }
    }
    return subplans;
  }

  /** pgjdbc's rewrite of the statement: its placeholders numbered, as the server sees them. */
  private static String numbered(String sql) {
    StringBuilder numbered = new StringBuilder();
    int n = 0;
    for (char ch : sql.toCharArray()) {
      if (ch == '?') {
        numbered.append('$').append(++n);
      } else {
        numbered.append(ch);
      }
    }
    return numbered.toString();
  }

  /** The values the search binds for {@code query}, as literals of an EXECUTE, in their order. */
  private static String arguments(OrderQuery query) {
    List<String> literals = new ArrayList<>();
    for (PostgresOrderSearch.Bound<?> bound : search.statement(query).values()) {
      Object value = bound.value().apply(query);
      if (value instanceof Long || value instanceof OffsetDateTime) {
        literals.add("'" + value + "'");
      } else if (value instanceof String text) {
        literals.add("'" + text.replace("'", "''") + "'");
      } else {
        throw new IllegalStateException("a value of " + value.getClass());
      }
    }
    return "(" + String.join(", ", literals) + ")";
  }
}
