package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What of an order is personal, and what an erasure leaves in its place: the delivery's name,
 * phone, zip, city, address and region become {@value #MARKER}, its e-mail {@value #EMAIL_MARKER}
 * (still an e-mail address, so an erased order is still a valid order), and the {@code customer_id}
 * a one-way pseudonym, {@code erased-} and 32 hex digits of an HMAC-SHA256 of the id under a key
 * kept in the database, so that a customer's erased orders still group together. Amounts, items,
 * dates, track numbers and every other field stay as they were.
 *
 * <p>Stateless and thread safe.
 */
public final class PersonalData {

  /** What stands in for each erased delivery field but the e-mail. */
  public static final String MARKER = "[erased]";

  /** What stands in for an erased e-mail: a reserved domain ({@code .invalid}, RFC 2606). */
  public static final String EMAIL_MARKER = "erased@erased.invalid";

  /** How every pseudonym begins. */
  public static final String PSEUDONYM_PREFIX = "erased-";

  /** The length of a pseudonym key in bytes. */
  public static final int KEY_BYTES = 32;

  private static final Delivery ERASED_DELIVERY =
      new Delivery(MARKER, MARKER, MARKER, MARKER, MARKER, MARKER, EMAIL_MARKER);

  private final byte[] key;

  /**
   * @param key the HMAC key of the pseudonyms, {@value #KEY_BYTES} bytes
   */
  public PersonalData(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a pseudonym key is " + KEY_BYTES + " bytes");
    }
    this.key = key.clone();
  }

  /** The delivery of every erased order. */
  public static Delivery erasedDelivery() {
    return ERASED_DELIVERY;
  }

  /** Whether {@code order} has been erased: its delivery is the erased one. */
  public static boolean isErased(Order order) {
    return ERASED_DELIVERY.equals(order.delivery());
  }

  /**
   * The pseudonym of a customer id: the same for the same id and key; a pseudonym is its own
   * pseudonym, so erasing twice changes nothing.
   */
  public String pseudonym(String customerId) {
    Objects.requireNonNull(customerId, "customerId");
    if (isPseudonym(customerId)) {
      return customerId;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal(customerId.getBytes(UTF_8));
      return PSEUDONYM_PREFIX + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java platform has HmacSHA256", e);
    }
  }

  /** Whether {@code customerId} has the form of a pseudonym. */
  public static boolean isPseudonym(String customerId) {
    return customerId.length() == PSEUDONYM_PREFIX.length() + 32
        && customerId.startsWith(PSEUDONYM_PREFIX)
        && customerId
            .chars()
            .skip(PSEUDONYM_PREFIX.length())
            .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /** {@code order} with its personal fields replaced; everything else as it was. */
  public Order erase(Order order) {
    Objects.requireNonNull(order, "order");
    return order
        .withDelivery(ERASED_DELIVERY)
        .withCustomerId(order.customerId() == null ? null : pseudonym(order.customerId()));
  }
}
