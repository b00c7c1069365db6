package dev.orderservice.bench;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderQuery;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How {@code bench/run search} spreads its orders' search fields, the queries that find them, and
 * the same queries for pgbench: about 50 orders per customer, 2 per track number, {@code
 * date_created} over one year in four different offsets (so that a day's orders are found by
 * instant, not by text).
 *
 * <p>pgbench runs the service's own statement ({@code PostgresOrderSearch#sql}) prepared, with each
 * value drawn at random by pgbench as wrk's paths draw theirs: pgbench's variables are numbers, so
 * a value that is text or an instant is made from one in the statement itself ({@code 'cust-' ||
 * lpad(:customer::text, 6, '0')}, {@code to_timestamp(:from_s)}): the same values, each a bound
 * parameter, at the cost of one function call more on PostgreSQL's side.
 */
final class SearchSpread {

  static final int DAYS = 365;
  static final LocalDate FIRST_DAY = LocalDate.of(2025, 1, 1);
  private static final long FIRST_SECOND = FIRST_DAY.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
  private static final List<ZoneOffset> OFFSETS =
      List.of(
          ZoneOffset.UTC,
          ZoneOffset.ofHours(3),
          ZoneOffset.ofHours(-5),
          ZoneOffset.ofHoursMinutes(5, 30));
  private static final DateTimeFormatter INSTANT = DateTimeFormatter.ISO_INSTANT;

  final int count;
  final int customers;
  final int tracks;

  SearchSpread(int count) {
    this.count = count;
    this.customers = Math.max(1, count / 50);
    this.tracks = Math.max(1, count / 2);
  }

  /** Order {@code i}: its random content, with the search fields of the spread. */
  Order order(Order random, int i) {
    Random fields = new Random(i * 7919L + 17);
    ZoneOffset offset = OFFSETS.get(fields.nextInt(OFFSETS.size()));
    LocalDateTime local =
        FIRST_DAY
            .atStartOfDay()
            .plusSeconds((long) (fields.nextDouble() * DAYS * 86_400L))
            .plusSeconds(offset.getTotalSeconds());
    return random
        .withTrackNumber(String.format("TRK%08d", fields.nextInt(tracks)))
        .withCustomerId(String.format("cust-%06d", fields.nextInt(customers)))
        .withDateCreated(local.atOffset(offset).toString());
  }

  String trackQuery(Random random) {
    return "/orders?track_number=" + String.format("TRK%08d", random.nextInt(tracks));
  }

  String customerQuery(Random random) {
    return "/orders?customer_id=" + String.format("cust-%06d", random.nextInt(customers));
  }

  String dayQuery(Random random) {
    return rangeQuery(random, 1);
  }

  /** {@code days} UTC days from a random one. */
  String rangeQuery(Random random, int days) {
    LocalDate day = FIRST_DAY.plusDays(random.nextInt(DAYS - days + 1));
    return "/orders?from=" + instant(day) + "&to=" + instant(day.plusDays(days));
  }

  String combinedQuery(Random random) {
    LocalDate from = FIRST_DAY.plusDays(random.nextInt(DAYS - 90));
    return customerQuery(random) + "&from=" + instant(from) + "&to=" + instant(from.plusDays(90));
  }

  /**
   * How many days a search of {@code page} pages of 20 needs to hold them with room to spare: one
   * day holds about {@code count / DAYS} orders, so a small store needs a range of several.
   */
  int daysFor(int page) {
    return Math.min(
        DAYS / 2,
        (int) Math.max(1, Math.ceil(page * 20 * 1.5 / Math.max(1.0, (double) count / DAYS))));
  }

  /** A query of the shape of each kind, for the statement it runs. */
  static OrderQuery trackShape() {
    return OrderQuery.builder().trackNumber("TRK").build();
  }

  static OrderQuery customerShape() {
    return OrderQuery.builder().customerId("cust").build();
  }

  static OrderQuery rangeShape() {
    return OrderQuery.builder().from(Instant.EPOCH).to(Instant.EPOCH).build();
  }

  static OrderQuery combinedShape() {
    return OrderQuery.builder().customerId("cust").from(Instant.EPOCH).to(Instant.EPOCH).build();
  }

  static OrderQuery cursorShape() {
    return OrderQuery.builder()
        .from(Instant.EPOCH)
        .to(Instant.EPOCH)
        .after(new OrderCursor(Instant.EPOCH, 1))
        .build();
  }

  /**
   * pgbench's draws for each kind (its {@code \set} lines), and the expression that stands for each
   * bound value of the statement, by the value's name.
   *
   * @param draws pgbench meta-commands, one a line, run before the statement
   * @param values the SQL that gives each value, by the name {@code PostgresOrderSearch#sql} gives
   */
  record PgBenchValues(List<String> draws, Map<String, String> values) {}

  PgBenchValues trackValues() {
    return new PgBenchValues(
        List.of("\\set track random(0, " + (tracks - 1) + ")", "\\set rows 21"),
        Map.of("track_number", "'TRK' || lpad(:track::text, 8, '0')", "rows", ":rows"));
  }

  PgBenchValues customerValues() {
    return new PgBenchValues(
        List.of("\\set customer random(0, " + (customers - 1) + ")", "\\set rows 21"),
        Map.of("customer_id", CUSTOMER, "rows", ":rows"));
  }

  /** {@code days} UTC days from a random one, as {@link #rangeQuery}. */
  PgBenchValues rangeValues(int days) {
    return new PgBenchValues(
        List.of(
            "\\set from_s " + FIRST_SECOND + " + 86400 * random(0, " + (DAYS - days) + ")",
            "\\set to_s :from_s + " + 86_400L * days,
            "\\set rows 21"),
        Map.of("from", "to_timestamp(:from_s)", "to", "to_timestamp(:to_s)", "rows", ":rows"));
  }

  PgBenchValues combinedValues() {
    return new PgBenchValues(
        List.of(
            "\\set customer random(0, " + (customers - 1) + ")",
            "\\set from_s " + FIRST_SECOND + " + 86400 * random(0, " + (DAYS - 90 - 1) + ")",
            "\\set to_s :from_s + " + 86_400L * 90,
            "\\set rows 21"),
        Map.of(
            "customer_id",
            CUSTOMER,
            "from",
            "to_timestamp(:from_s)",
            "to",
            "to_timestamp(:to_s)",
            "rows",
            ":rows"));
  }

  /**
   * Page {@code page} of a range of {@link #daysFor} days: the cursor stands where the orders of
   * the pages before it end, {@code (page - 1) * 20} orders below the range's end at the store's
   * density of orders; its id is the largest, so the orders of that instant are on the page.
   */
  PgBenchValues cursorValues(int page) {
    int days = daysFor(page);
    long perDay = Math.max(1, count / DAYS);
    long below = Math.min(86_400L * days - 1, 86_400L * (page - 1) * 20 / perDay);
    Map<String, String> values =
        Map.of(
            "from", "to_timestamp(:from_s)",
            "to", "to_timestamp(:to_s)",
            "after_created_at", "to_timestamp(:after_s)",
            "after_id", ":after_id",
            "rows", ":rows");
    return new PgBenchValues(
        List.of(
            "\\set from_s " + FIRST_SECOND + " + 86400 * random(0, " + (DAYS - days) + ")",
            "\\set to_s :from_s + " + 86_400L * days,
            "\\set after_s :to_s - " + below,
            "\\set after_id " + Long.MAX_VALUE,
            "\\set rows 21"),
        values);
  }

  private static final String CUSTOMER = "'cust-' || lpad(:customer::text, 6, '0')";

  private static String instant(LocalDate day) {
    return INSTANT.format(day.atStartOfDay(ZoneOffset.UTC));
  }
}
