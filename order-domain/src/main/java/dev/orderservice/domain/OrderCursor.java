package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A position in the newest-first order of a search: the last order of a page, by its {@code
 * date_created} instant (microseconds) and the store's sequence number. The next page holds the
 * orders strictly after it (keyset pagination: no offset, so page 50 costs what page 1 costs, and
 * orders stored between two pages neither repeat nor hide others).
 *
 * <p>Clients see it as an opaque token ({@link #encode}): URL-safe, bound to the filters of the
 * search that returned it, checked when it comes back ({@link #decode}); a token that was altered,
 * made up or taken from another search is refused.
 *
 * @param createdAt the instant of the order's {@code date_created}, in microseconds
 * @param sequence the store's sequence number of the order (its insertion order)
 */
public record OrderCursor(Instant createdAt, long sequence) {

  private static final String VERSION = "c1";
  private static final int CHECK_BYTES = 8;

  public OrderCursor {
    Objects.requireNonNull(createdAt, "createdAt");
    createdAt = createdAt.truncatedTo(ChronoUnit.MICROS);
  }

  /** The token of this position for {@code query}'s filters. */
  public String encode(OrderQuery query) {
    String body = VERSION + "." + micros(createdAt) + "." + sequence;
    String token = body + "." + check(body, query);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(UTF_8));
  }

  /**
   * The position a token of {@code query}'s search stands for.
   *
   * @throws IllegalArgumentException if the token is not one that a search with the same filters
   *     returned; the message says so without repeating the token
   */
  public static OrderCursor decode(String token, OrderQuery query) {
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals(VERSION)) {
      throw invalid();
    }
    String body = parts[0] + "." + parts[1] + "." + parts[2];
    if (!MessageDigest.isEqual(check(body, query).getBytes(UTF_8), parts[3].getBytes(UTF_8))) {
      throw invalid();
    }
    try {
      long micros = Long.parseLong(parts[1]);
      Instant at =
          Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L))
              .plusNanos(Math.floorMod(micros, 1_000_000L) * 1_000L);
      return new OrderCursor(at, Long.parseLong(parts[2]));
    } catch (RuntimeException e) {
      throw invalid();
    }
  }

  private static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
  }

  private static String check(String body, OrderQuery query) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(query.fingerprint().getBytes(UTF_8));
      sha.update((byte) 0);
      byte[] digest = sha.digest(body.getBytes(UTF_8));
      return HexFormat.of().formatHex(digest, 0, CHECK_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static IllegalArgumentException invalid() {
    return new IllegalArgumentException(
        "cursor is not one that this search returned: start again without it");
  }
}
