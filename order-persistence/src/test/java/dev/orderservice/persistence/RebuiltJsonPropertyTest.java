package dev.orderservice.persistence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.domain.Payment;
import dev.orderservice.domain.RandomOrders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A property: for any accepted order, whatever Unicode its strings hold, the normalized rows the
 * store writes rebuild exactly the canonical JSON it stored beside them, so that what is served
 * after a rebuild (a row without its JSON, the benchmark's {@code streamAll}) is what was stored.
 *
 * <p>Random orders from a seed: each try's seed is printed with a failure, and {@code
 * -Drebuild.seed=N} runs the tries of seed N again. Strings are drawn from all of Unicode: what
 * JSON must escape (quotes, backslashes, control characters but NUL, which the validator refuses),
 * characters outside the BMP, combining marks, line and paragraph separators; never a lone
 * surrogate, which the codec refuses.
 */
class RebuiltJsonPropertyTest {

  private static final int TRIES = 600;
  private static final int BATCH = 200;
  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final OrderValidator VALIDATOR = new OrderValidator();

  private static TestSchema schema;

  @BeforeAll
  static void migrate() {
    schema = TestSchema.migrated("rebuild");
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @Test
  void theRowsOfAnyAcceptedOrderRebuildItsCanonicalJsonExactly() {
    long seed = Long.getLong("rebuild.seed", new SplittableRandom().nextLong());
    System.out.println("RebuiltJsonPropertyTest: seed " + seed);
    SplittableRandom seeds = new SplittableRandom(seed);
    Map<String, Long> seedOf = new HashMap<>();
    Map<String, byte[]> stored = new HashMap<>();
    PostgresOrderStore store = new PostgresOrderStore(schema.dataSource());
    List<EncodedOrder> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < TRIES; i++) {
      long trySeed = seeds.nextLong();
      EncodedOrder accepted = accepted(new UnicodeOrders(trySeed).next(), trySeed);
      seedOf.put(accepted.orderUid(), trySeed);
      stored.put(accepted.orderUid(), accepted.json());
      batch.add(accepted);
      if (batch.size() == BATCH) {
        store.saveAll(batch);
        batch.clear();
      }
    }

    Map<String, byte[]> rebuilt = new HashMap<>();
    long streamed = store.streamAll(o -> rebuilt.put(o.orderUid(), o.json()));
    schema.execute("update orders set canonical_json = null");
    Map<String, byte[]> rebuiltOneByOne = store.findJsonAll(stored.keySet());

    assertThat(streamed).isEqualTo(TRIES);
    stored.forEach(
        (uid, json) -> {
          String which = "order of seed " + seedOf.get(uid) + " (seed of the run " + seed + ")";
          assertThat(storedJson(rebuilt.get(uid))).as("streamAll, %s", which).isEqualTo(text(json));
          assertThat(storedJson(rebuiltOneByOne.get(uid)))
              .as("a lookup of a row without its JSON, %s", which)
              .isEqualTo(text(json));
        });
  }

  /** The order as the service accepts it: encoded, decoded and validated as a producer's. */
  private static EncodedOrder accepted(Order order, long seed) {
    DecodeResult decoded = CODEC.decode(CODEC.encode(order));
    assertThat(decoded).as("order of seed %d", seed).isInstanceOf(DecodeResult.Decoded.class);
    Order read = ((DecodeResult.Decoded) decoded).order();
    assertThat(read).as("order of seed %d", seed).isEqualTo(order);
    assertThat(VALIDATOR.validate(read)).as("order of seed %d", seed).isEmpty();
    return CODEC.encoded(read);
  }

  private static String storedJson(byte[] json) {
    return json == null ? "(none)" : text(json);
  }

  /** The JSON as text, so that a failure shows where it differs. */
  private static String text(byte[] json) {
    return new String(json, UTF_8);
  }

  /**
   * Valid orders whose every free-text field holds random Unicode text; the fields with a format
   * (uid, e-mail, currency, date) stay as {@link RandomOrders} makes them. Numbers range to their
   * type's limits.
   */
  private static final class UnicodeOrders {

    /** Characters that are worth drawing often: JSON escapes, separators, marks, emoji. */
    private static final int[] NOTABLE = {
      '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', 0x01, 0x1F, 0x7F, 0x80, 0x9F, 0xA0, 0xAD,
      0x2028, 0x2029, 0x200D, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x0301, 0x0308, 0x20DD, 0x1F600,
      0x1F3FD, 0x10000, 0x10FFFF, 0xE000
    };

    private final SplittableRandom random;
    private final RandomOrders orders;

    UnicodeOrders(long seed) {
      this.random = new SplittableRandom(seed);
      this.orders = new RandomOrders(seed);
    }

    Order next() {
      Order o = orders.next();
      Delivery d = o.delivery();
      Payment p = o.payment();
      List<Item> items = new ArrayList<>();
      for (Item item : o.items()) {
        items.add(
            new Item(
                random.nextLong(Long.MAX_VALUE),
                text(),
                random.nextInt(Integer.MAX_VALUE),
                text(),
                text(),
                random.nextInt(101),
                text(),
                random.nextInt(Integer.MAX_VALUE),
                random.nextBoolean() ? Long.MAX_VALUE : random.nextLong(Long.MAX_VALUE),
                text(),
                random.nextInt(1_000)));
      }
      return new Order(
          o.orderUid(),
          text(),
          text(),
          new Delivery(text(), text(), text(), text(), text(), text(), d.email()),
          new Payment(
              text(),
              random.nextBoolean() ? "" : text(),
              p.currency(),
              text(),
              random.nextBoolean() ? Integer.MAX_VALUE : random.nextInt(Integer.MAX_VALUE),
              random.nextLong(Long.MAX_VALUE),
              text(),
              random.nextInt(Integer.MAX_VALUE),
              random.nextInt(Integer.MAX_VALUE),
              random.nextInt(Integer.MAX_VALUE)),
          items,
          text(),
          random.nextBoolean() ? "" : text(),
          text(),
          text(),
          text(),
          random.nextInt(Integer.MAX_VALUE),
          o.dateCreated(),
          text());
    }

    /** 1 to 24 code points, not blank, without NUL or a lone surrogate. */
    private String text() {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(24);
      while (text.codePointCount(0, text.length()) < length || text.toString().isBlank()) {
        int codePoint =
            switch (random.nextInt(4)) {
              case 0 -> NOTABLE[random.nextInt(NOTABLE.length)];
              case 1 -> random.nextInt(0x80);
              case 2 -> random.nextInt(0x10000);
              default -> random.nextInt(Character.MAX_CODE_POINT + 1);
            };
        if (codePoint != 0 && !isSurrogate(codePoint)) {
          text.appendCodePoint(codePoint);
        }
      }
      return text.toString();
    }

    private static boolean isSurrogate(int codePoint) {
      return codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE;
    }
  }
}
