package dev.orderservice.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Generates realistic, valid orders: 1 to 5 items, totals that add up ({@code total_price} is the
 * price less the sale, {@code goods_total} their sum, {@code amount} the goods plus delivery and
 * fees), non-ASCII names, offsets other than UTC.
 *
 * <p>Main code, not test support: {@code order-cli produce}, a shipped command, and the benchmarks
 * generate their orders with it. Tests use it too, this module's own among them, which is why it is
 * not in order-test-support: that module would have to depend on this one.
 *
 * <p>The same seed gives the same sequence. Uids are random 128-bit hex strings, so they are unique
 * in practice. Not thread safe: use one instance per thread.
 */
public final class RandomOrders {

  private static final String[] FIRST = {"Ivan", "Anna", "Test", "Мария", "José", "Chen", "Olga"};
  private static final String[] LAST = {"Petrov", "Testov", "Smith", "Иванова", "García", "Li"};
  private static final String[] CITIES = {"Kiryat Mozkin", "Москва", "Berlin", "Kazan", "Almaty"};
  private static final String[] REGIONS = {"Kraiot", "Центральный", "Brandenburg", "Tatarstan"};
  private static final String[] STREETS = {"Ploshad Mira", "Lenina", "Hauptstraße", "Abay"};
  private static final String[] PRODUCTS = {"Mascaras", "Lipstick", "T-shirt", "Кроссовки", "Mug"};
  private static final String[] BRANDS = {"Vivienne Sabo", "Nike", "L'Oréal", "Bosch", "Zara"};
  private static final String[] PROVIDERS = {"wbpay", "visa", "mir", "sbp"};
  private static final String[] BANKS = {"alpha", "sber", "tinkoff", "vtb"};
  private static final String[] CURRENCIES = {"USD", "RUB", "EUR", "KZT"};
  private static final String[] SERVICES = {"meest", "cdek", "dpd", "boxberry"};
  private static final String[] LOCALES = {"en", "ru", "de"};
  private static final ZoneOffset[] OFFSETS = {
    ZoneOffset.UTC, ZoneOffset.ofHours(3), ZoneOffset.ofHoursMinutes(5, 30), ZoneOffset.ofHours(-4)
  };
  private static final long FROM = Instant.parse("2021-01-01T00:00:00Z").getEpochSecond();
  private static final long SPAN = 5L * 365 * 24 * 3600;

  private final SplittableRandom random;

  public RandomOrders(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A seed from the system's randomness, for callers that want a different run each time. */
  public static RandomOrders unseeded() {
    return new RandomOrders(new Random().nextLong());
  }

  /** A new valid order with a fresh uid. */
  public Order next() {
    return next(uid());
  }

  /** A new valid order with the given uid. */
  public Order next(String orderUid) {
    String track = "WB" + upper(10);
    int itemCount = 1 + random.nextInt(5);
    List<Item> items = new ArrayList<>(itemCount);
    int goodsTotal = 0;
    for (int i = 0; i < itemCount; i++) {
      Item item = item(track);
      goodsTotal += item.totalPrice();
      items.add(item);
    }
    long paidAt = FROM + random.nextLong(SPAN);
    int deliveryCost = random.nextInt(2000);
    int customFee = random.nextInt(4) == 0 ? random.nextInt(300) : 0;
    Payment payment =
        new Payment(
            orderUid,
            random.nextInt(3) == 0 ? "" : hex(8),
            pick(CURRENCIES),
            pick(PROVIDERS),
            goodsTotal + deliveryCost + customFee,
            paidAt,
            pick(BANKS),
            deliveryCost,
            goodsTotal,
            customFee);
    ZoneOffset offset = OFFSETS[random.nextInt(OFFSETS.length)];
    String created =
        DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
            Instant.ofEpochSecond(paidAt - random.nextInt(3600)).atOffset(offset));
    return new Order(
        orderUid,
        track,
        "WBIL",
        delivery(),
        payment,
        items,
        pick(LOCALES),
        random.nextInt(5) == 0 ? hex(6) : "",
        "customer" + random.nextInt(100_000),
        pick(SERVICES),
        Integer.toString(random.nextInt(10)),
        random.nextInt(100),
        created,
        Integer.toString(random.nextInt(10)));
  }

  private Delivery delivery() {
    String first = pick(FIRST);
    String last = pick(LAST);
    return new Delivery(
        first + " " + last,
        "+7" + digits(10),
        digits(6),
        pick(CITIES),
        pick(STREETS) + " " + (1 + random.nextInt(200)),
        pick(REGIONS),
        "user" + random.nextInt(1_000_000) + "@example.com");
  }

  private Item item(String track) {
    int price = 50 + random.nextInt(10_000);
    int sale = random.nextInt(4) * 10;
    return new Item(
        1 + random.nextLong(99_999_999L),
        track,
        price,
        hex(10) + "test",
        pick(PRODUCTS),
        sale,
        Integer.toString(random.nextInt(60)),
        price * (100 - sale) / 100,
        1 + random.nextLong(9_999_999L),
        pick(BRANDS),
        200 + random.nextInt(3));
  }

  private String uid() {
    return hex(16);
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  private String hex(int bytes) {
    StringBuilder s = new StringBuilder(bytes * 2);
    for (int i = 0; i < bytes; i++) {
      s.append(Character.forDigit(random.nextInt(16), 16))
          .append(Character.forDigit(random.nextInt(16), 16));
    }
    return s.toString();
  }

  private String upper(int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) ('A' + random.nextInt(26)));
    }
    return s.toString();
  }

  private String digits(int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    return s.toString();
  }
}
