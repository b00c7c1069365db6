package dev.orderservice.persistence;

import static dev.orderservice.domain.OrderCopies.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.RandomOrders;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PostgresOrderSearch#search} against real PostgreSQL: filters alone and combined, instants
 * written with different offsets, range boundaries, ties, and keyset pagination while orders keep
 * arriving. Each expectation is computed in Java from the orders saved: the instant of date_created
 * with {@link OrderDates#instant}, descending, ties by save order, later first.
 */
class PostgresOrderStoreSearchTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final Instant BASE = Instant.parse("2021-11-26T06:22:19Z");

  private static TestSchema schema;
  private static PostgresOrderStore store;
  private static PostgresOrderSearch orderSearch;

  private final RandomOrders random = new RandomOrders(20_261_201L);
  private final SplittableRandom dice = new SplittableRandom(12);

  /** Every order saved by the test, in save order (the store's insertion order). */
  private final List<Order> saved = new ArrayList<>();

  @BeforeAll
  static void migrate() {
    schema = TestSchema.migrated("search");
    store = new PostgresOrderStore(schema.dataSource());
    orderSearch = new PostgresOrderSearch(schema.dataSource());
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @BeforeEach
  void emptyTheStore() {
    schema.execute("truncate orders, delivery, payment, items");
  }

  @Test
  void everyShapeOfSearchBindsEachValueAtItsPlaceholder() {
    OrderCursor somewhere = new OrderCursor(BASE.plusSeconds(3_600), 17);
    for (int shape = 0; shape < 32; shape++) {
      OrderQuery.Builder builder = OrderQuery.builder().limit(7);
      if ((shape & 1) != 0) {
        builder.trackNumber("TRACK-A");
      }
      if ((shape & 2) != 0) {
        builder.customerId("alice");
      }
      if ((shape & 4) != 0) {
        builder.from(BASE);
      }
      if ((shape & 8) != 0) {
        builder.to(BASE.plusSeconds(86_400));
      }
      if ((shape & 16) != 0) {
        builder.after(somewhere);
      }
      OrderQuery query = builder.build();

      PostgresOrderSearch.Statement statement = orderSearch.statement(query);
      var withValues = orderSearch.query(query);

      assertThat(statement.sql()).as("shape %d", shape).isEqualTo(withValues.getSQL());
      assertThat(statement.values().stream().map(v -> v.value().apply(query)).toList())
          .as("shape %d", shape)
          .isEqualTo(withValues.getBindValues());
    }
  }

  @Test
  void eachFilterAloneAndEveryCombinationFindsExactlyTheMatchingOrdersNewestFirst() {
    List<String> tracks = List.of("TRACK-A", "TRACK-B", "TRACK-C");
    List<String> customers = List.of("alice", "bob", "carol");
    List<Order> orders = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      orders.add(
          order(
              tracks.get(dice.nextInt(tracks.size())),
              customers.get(dice.nextInt(customers.size())),
              randomOffset(BASE.plusSeconds(dice.nextInt(5 * 24 * 3600)))));
    }
    save(orders);
    Instant from = BASE.plusSeconds(24 * 3600);
    Instant to = BASE.plusSeconds(3 * 24 * 3600);

    for (int combination = 0; combination < 16; combination++) {
      OrderQuery.Builder query = OrderQuery.builder().limit(7);
      Predicate<Order> matches = o -> true;
      if ((combination & 1) != 0) {
        query.trackNumber("TRACK-B");
        matches = matches.and(o -> o.trackNumber().equals("TRACK-B"));
      }
      if ((combination & 2) != 0) {
        query.customerId("carol");
        matches = matches.and(o -> o.customerId().equals("carol"));
      }
      if ((combination & 4) != 0) {
        query.from(from);
        matches = matches.and(o -> !instant(o).isBefore(from));
      }
      if ((combination & 8) != 0) {
        query.to(to);
        matches = matches.and(o -> instant(o).isBefore(to));
      }
      List<OrderSummary> expected = newestFirst(matches);

      assertThat(allPages(query.build()))
          .as("combination %s", Integer.toBinaryString(combination))
          .isNotEmpty()
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void theSameMomentWrittenWithDifferentOffsetsIsFoundByARangeInUtc() {
    Order moscow = order("TRACK-M", "c1", "2021-11-26T09:22:19+03:00");
    Order utc = order("TRACK-U", "c2", "2021-11-26T06:22:19Z");
    Order newYork = order("TRACK-N", "c3", "2021-11-26T01:22:19-05:00");
    Order justBefore = order("TRACK-B", "c4", "2021-11-26T06:22:18.999999Z");
    Order atTheEnd = order("TRACK-E", "c5", "2021-11-26T06:22:20Z");
    save(List.of(moscow, utc, newYork, justBefore, atTheEnd));

    OrderPage page =
        orderSearch.search(
            OrderQuery.builder()
                .from(Instant.parse("2021-11-26T06:22:19Z"))
                .to(Instant.parse("2021-11-26T06:22:20Z"))
                .build());

    // The same instant three times: later saved first.
    assertThat(page.orders())
        .extracting(OrderSummary::orderUid)
        .containsExactly(newYork.orderUid(), utc.orderUid(), moscow.orderUid());
    assertThat(page.orders().get(2).dateCreated()).isEqualTo("2021-11-26T09:22:19+03:00");
    assertThat(page.next()).isEmpty();
  }

  @Test
  void fromIsInclusiveAndToIsExclusiveToTheMicrosecond() {
    Order first = order("T", "c", "2021-11-26T06:22:19.000001Z");
    Order atFrom = order("T", "c", "2021-11-26T06:22:19Z");
    Order beforeFrom = order("T", "c", "2021-11-26T06:22:18.999999Z");
    Order beforeTo = order("T", "c", "2021-11-26T06:22:19.999999Z");
    Order atTo = order("T", "c", "2021-11-26T06:22:20Z");
    // Nanoseconds are dropped (OrderDates.instant): this one is at 19.999999 too.
    Order truncated = order("T", "c", "2021-11-26T06:22:19.9999999Z");
    save(List.of(first, atFrom, beforeFrom, beforeTo, atTo, truncated));

    List<OrderSummary> found =
        allPages(
            OrderQuery.builder()
                .from(Instant.parse("2021-11-26T06:22:19Z"))
                .to(Instant.parse("2021-11-26T06:22:20Z"))
                .limit(2)
                .build());

    assertThat(found)
        .extracting(OrderSummary::orderUid)
        .containsExactly(
            truncated.orderUid(), beforeTo.orderUid(), first.orderUid(), atFrom.orderUid());
    assertThat(
            allPages(
                OrderQuery.builder()
                    .from(Instant.parse("2021-11-26T06:22:19.999999Z"))
                    .to(Instant.parse("2021-11-26T06:22:20.000001Z"))
                    .build()))
        .extracting(OrderSummary::orderUid)
        .containsExactly(atTo.orderUid(), truncated.orderUid(), beforeTo.orderUid());
  }

  @Test
  void tiesInCreatedAtAreBrokenByInsertionOrderLaterFirstAcrossPages() {
    List<Order> sameMoment = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      sameMoment.add(order("TIE", "c" + i, randomOffset(BASE)));
    }
    save(sameMoment);

    List<OrderSummary> found = allPages(OrderQuery.builder().trackNumber("TIE").limit(2).build());

    List<String> laterFirst = new ArrayList<>();
    for (int i = sameMoment.size() - 1; i >= 0; i--) {
      laterFirst.add(sameMoment.get(i).orderUid());
    }
    assertThat(found).extracting(OrderSummary::orderUid).containsExactlyElementsOf(laterFirst);
  }

  @ParameterizedTest
  @ValueSource(ints = {100, 7, 33})
  void pagingThroughAThousandMatchesWhileOrdersArriveMissesAndRepeatsNoneOfThem(int limit) {
    List<Order> original = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      // A few hundred distinct seconds for a thousand orders: many ties.
      original.add(order("T" + i, "paging", randomOffset(BASE.plusSeconds(dice.nextInt(300)))));
    }
    save(original);
    save(List.of(order("T-other", "someone-else", randomOffset(BASE.plusSeconds(10)))));
    OrderQuery query = OrderQuery.builder().customerId("paging").limit(limit).build();

    List<OrderSummary> seen = new ArrayList<>();
    List<OrderCursor> positions = new ArrayList<>();
    OrderPage page = orderSearch.search(query);
    while (true) {
      assertThat(page.orders()).hasSizeLessThanOrEqualTo(limit);
      seen.addAll(page.orders());
      if (page.next().isEmpty()) {
        break;
      }
      assertThat(page.orders()).hasSize(limit);
      OrderCursor at = page.next().get();
      positions.add(at);
      // Between two pages: a newer order, an older one, one at the cursor's very instant (saved
      // later, so before the cursor in newest-first order) and one a microsecond older.
      save(
          List.of(
              order("new-newest", "paging", randomOffset(BASE.plusSeconds(100_000))),
              // Each older than the last: older than any cursor to come.
              order(
                  "new-oldest",
                  "paging",
                  randomOffset(BASE.minusSeconds(100_000 + positions.size()))),
              order("new-tie", "paging", randomOffset(at.createdAt())),
              order("new-older", "paging", randomOffset(at.createdAt().minusNanos(1_000)))));
      page = orderSearch.search(query.after(at));
    }

    List<String> uids = seen.stream().map(OrderSummary::orderUid).toList();
    assertThat(new HashSet<>(uids)).as("no order twice").hasSize(uids.size());
    assertThat(uids).containsAll(original.stream().map(Order::orderUid).toList());
    assertThat(uids).doesNotContain(saved.get(1_000).orderUid()); // another customer
    // Orders newer than a cursor, or at its instant but saved later, come before it: not shown.
    assertThat(seen).extracting(OrderSummary::trackNumber).doesNotContain("new-newest", "new-tie");
    // Orders older than the cursor when they were saved are shown on a later page.
    assertThat(seen.stream().filter(s -> s.trackNumber().equals("new-oldest")))
        .hasSize(positions.size());
    assertThat(seen.stream().filter(s -> s.trackNumber().equals("new-older")))
        .hasSize(positions.size());
    assertThat(seen).isSortedAccordingTo(newestFirstOrder());
  }

  @Test
  void theLastPageHasNoNextEvenWhenItIsFull() {
    for (int i = 0; i < 20; i++) {
      save(List.of(order("T", "full-pages", randomOffset(BASE.plusSeconds(i)))));
    }
    OrderQuery query = OrderQuery.builder().customerId("full-pages").limit(10).build();

    OrderPage first = orderSearch.search(query);
    OrderPage second = orderSearch.search(query.after(first.next().orElseThrow()));

    assertThat(first.orders()).hasSize(10);
    assertThat(second.orders()).hasSize(10);
    assertThat(second.next()).isEmpty();
    assertThat(orderSearch.search(OrderQuery.builder().customerId("nobody").build()))
        .isEqualTo(new OrderPage(List.of(), Optional.empty()));
  }

  @Test
  void theCursorIsTheInstantAndSequenceOfTheLastOrderOfThePage() throws SQLException {
    save(
        List.of(
            order("T", "c", "2021-11-26T09:22:19.123456789+03:00"),
            order("T", "c", "2021-11-26T06:22:18Z")));

    OrderPage page = orderSearch.search(OrderQuery.newest(1));

    assertThat(page.next())
        .hasValue(
            new OrderCursor(
                Instant.parse("2021-11-26T06:22:19.123456Z"), idOf(page.orders().get(0))));
  }

  @Test
  void ordersNotYetGivenTheirInstantAreNotFoundUntilTheBackfillFillsThem() {
    Order early = order("T", "c", "2021-11-26T06:22:19Z");
    Order late = order("T", "c", "2021-11-27T06:22:19Z");
    save(List.of(early, late));
    // As an instance of the previous version writes them during a rolling upgrade.
    schema.execute(
        "update orders set created_at = null where order_uid = '" + late.orderUid() + "'");

    assertThat(orderSearch.search(OrderQuery.newest(10)).orders())
        .extracting(OrderSummary::orderUid)
        .containsExactly(early.orderUid());

    Migrations.migrate(schema.dataSource());

    assertThat(orderSearch.search(OrderQuery.newest(10)).orders())
        .extracting(OrderSummary::orderUid)
        .containsExactly(late.orderUid(), early.orderUid());
  }

  @Test
  void instantsAtTheEdgesOfValidDatesAreStoredBackfilledAndSearchedExactly() throws SQLException {
    // Year 0000 at +18:00 is in year -1 in UTC; 9999 at -18:00 is in 10000. A SQL cast refuses
    // both the year 0000 and offsets beyond +-15:59.
    Order earliest = order("EDGE", "c", "0000-01-01T00:00:00+18:00");
    Order latest = order("EDGE", "c", "9999-12-31T23:59:59.999999-18:00");
    Order leap = order("EDGE", "c", "2024-02-29T23:59:59.5+14:00");
    List<Order> edges = List.of(earliest, latest, leap);
    save(edges);
    assertStoredInstantsAre(edges);

    schema.execute("update orders set created_at = null");
    Migrations.migrate(schema.dataSource());
    assertStoredInstantsAre(edges);

    assertThat(allPages(OrderQuery.builder().trackNumber("EDGE").limit(1).build()))
        .extracting(OrderSummary::orderUid)
        .containsExactly(latest.orderUid(), leap.orderUid(), earliest.orderUid());
    assertThat(
            allPages(
                OrderQuery.builder()
                    .from(instant(earliest))
                    .to(instant(earliest).plusNanos(1_000))
                    .build()))
        .extracting(OrderSummary::orderUid)
        .containsExactly(earliest.orderUid());
    assertThat(allPages(OrderQuery.builder().from(Instant.MIN).to(Instant.MAX).build())).hasSize(3);
    assertThat(orderSearch.search(OrderQuery.builder().from(Instant.MAX).build()).orders())
        .isEmpty();
  }

  @Test
  void everyKindOfSearchReadsItsCoveringIndexAloneRatherThanSortingOrJoiningTables()
      throws SQLException {
    List<Order> orders = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      orders.add(
          order(
              // A track number has fewer orders than a customer, as in life.
              "TRACK-" + dice.nextInt(5_000),
              "customer-" + dice.nextInt(1_000),
              randomOffset(BASE.plusSeconds(dice.nextInt(365 * 24 * 3600)))));
    }
    for (int from = 0; from < orders.size(); from += 5_000) {
      store.saveAll(orders.subList(from, from + 5_000).stream().map(CODEC::encoded).toList());
    }
    // VACUUM marks the table's pages all-visible, as autovacuum does on a live store.
    schema.execute("vacuum analyze orders, payment, items");
    OrderCursor somewhere = new OrderCursor(BASE.plusSeconds(180 * 24 * 3600), 10_000);

    List<Search> searches =
        List.of(
            new Search("orders_created_at_summary", OrderQuery.newest(20)),
            new Search("orders_created_at_summary", OrderQuery.builder().after(somewhere).build()),
            new Search(
                "orders_created_at_summary",
                OrderQuery.builder().from(BASE).to(BASE.plusSeconds(30 * 24 * 3600)).build()),
            new Search(
                "orders_track_number_summary", OrderQuery.builder().trackNumber("TRACK-7").build()),
            new Search(
                "orders_track_number_summary",
                OrderQuery.builder()
                    .trackNumber("TRACK-7")
                    .customerId("customer-7")
                    .from(BASE)
                    .after(somewhere)
                    .build()),
            new Search(
                "orders_customer_id_summary",
                OrderQuery.builder().customerId("customer-7").build()),
            new Search(
                "orders_customer_id_summary",
                OrderQuery.builder()
                    .customerId("customer-7")
                    .to(BASE.plusSeconds(200 * 24 * 3600))
                    .after(somewhere)
                    .build()));
    for (Search search : searches) {
      String plan = schema.explain(orderSearch.query(search.query()));
      assertThat(plan)
          .as(plan)
          .contains("Index Only Scan using " + search.index() + " on orders")
          .doesNotContain("Seq Scan")
          .doesNotContain("Sort")
          .doesNotContain("Join")
          .doesNotContain("Nested Loop");
    }
  }

  private record Search(String index, OrderQuery query) {}

  private void assertStoredInstantsAre(List<Order> orders) throws SQLException {
    String sql = "select extract(epoch from created_at) from orders where order_uid = ?";
    try (Connection c = schema.dataSource().getConnection();
        PreparedStatement select = c.prepareStatement(sql)) {
      for (Order order : orders) {
        select.setString(1, order.orderUid());
        try (ResultSet r = select.executeQuery()) {
          r.next();
          Instant expected = instant(order);
          BigDecimal seconds =
              BigDecimal.valueOf(expected.getEpochSecond())
                  .add(BigDecimal.valueOf(expected.getNano(), 9));
          assertThat(r.getBigDecimal(1)).as(order.dateCreated()).isEqualByComparingTo(seconds);
        }
      }
    }
  }

  private long idOf(OrderSummary summary) throws SQLException {
    try (Connection c = schema.dataSource().getConnection();
        PreparedStatement select =
            c.prepareStatement("select id from orders where order_uid = ?")) {
      select.setString(1, summary.orderUid());
      try (ResultSet r = select.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  /** Every page of a search, in order. */
  private List<OrderSummary> allPages(OrderQuery query) {
    List<OrderSummary> all = new ArrayList<>();
    OrderPage page = orderSearch.search(query);
    all.addAll(page.orders());
    while (page.next().isPresent()) {
      page = orderSearch.search(query.after(page.next().get()));
      all.addAll(page.orders());
    }
    return all;
  }

  /** The saved orders that match, as the store must list them. */
  private List<OrderSummary> newestFirst(Predicate<Order> matches) {
    List<Order> laterFirst = new ArrayList<>(saved);
    Collections.reverse(laterFirst);
    return laterFirst.stream()
        .filter(matches)
        .sorted(Comparator.comparing(PostgresOrderStoreSearchTest::instant).reversed())
        .map(OrderSummary::of)
        .toList();
  }

  /** Newest first by instant; the test cannot see ids, so ties are left as they are. */
  private static Comparator<OrderSummary> newestFirstOrder() {
    return Comparator.comparing((OrderSummary s) -> OrderDates.instant(s.dateCreated())).reversed();
  }

  private void save(List<Order> orders) {
    store.saveAll(orders.stream().map(CODEC::encoded).toList());
    saved.addAll(orders);
  }

  private Order order(String trackNumber, String customerId, String dateCreated) {
    return withHeader(random.next(), trackNumber, "WBIL", dateCreated).withCustomerId(customerId);
  }

  /** {@code at} as a producer might write it: in one of several offsets, seconds or fractions. */
  private String randomOffset(Instant at) {
    ZoneOffset[] offsets = {
      ZoneOffset.UTC,
      ZoneOffset.ofHours(3),
      ZoneOffset.ofHoursMinutes(-9, -30),
      ZoneOffset.ofHours(14)
    };
    OffsetDateTime local = at.atOffset(offsets[dice.nextInt(offsets.length)]);
    String text = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(local);
    return dice.nextBoolean() ? text : text.replace("Z", "+00:00");
  }

  private static Instant instant(Order order) {
    return OrderDates.instant(order.dateCreated());
  }
}
