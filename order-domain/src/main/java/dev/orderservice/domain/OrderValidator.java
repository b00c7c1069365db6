package dev.orderservice.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks an {@link Order} against the rules of the model and reports every violation at once.
 *
 * <p>Rules: every field is required and non-blank, except {@code payment.request_id} and {@code
 * internal_signature}, which must be present but may be empty; {@code order_uid} is 1..64
 * characters of {@code [A-Za-z0-9_-]}; {@code delivery.email} is an e-mail address; {@code
 * date_created} is an ISO-8601 date-time with an offset and a four-digit year ({@link OrderDates});
 * {@code payment.currency} is three upper-case letters; amounts, counts and ids are {@code >= 0};
 * there is at least one item; no string holds a NUL character (PostgreSQL cannot store one).
 *
 * <p>Stateless and thread safe.
 */
public final class OrderValidator {

  /** The rule for {@code order_uid}, shared by everything that accepts a uid from outside. */
  public static final Pattern ORDER_UID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@" + LABEL + "(?:\\." + LABEL + ")+");

  /** Whether {@code uid} is a well-formed {@code order_uid}. */
  public static boolean isValidOrderUid(String uid) {
    return uid != null && ORDER_UID.matcher(uid).matches();
  }

  /** Every violation of {@code order}; empty when it is valid. */
  public List<Violation> validate(Order order) {
    Checks c = new Checks();
    if (order == null) {
      c.add("", "is required");
      return c.violations;
    }
    if (c.text("order_uid", order.orderUid()) && !isValidOrderUid(order.orderUid())) {
      c.add("order_uid", "must be 1..64 characters of [A-Za-z0-9_-]");
    }
    c.text("track_number", order.trackNumber());
    c.text("entry", order.entry());
    delivery(c, order.delivery());
    payment(c, order.payment());
    items(c, order.items());
    c.text("locale", order.locale());
    c.present("internal_signature", order.internalSignature());
    c.text("customer_id", order.customerId());
    c.text("delivery_service", order.deliveryService());
    c.text("shardkey", order.shardkey());
    c.nonNegative("sm_id", order.smId());
    if (c.text("date_created", order.dateCreated()) && !isOffsetDateTime(order.dateCreated())) {
      c.add("date_created", "must be an ISO-8601 date-time with offset, e.g. 2021-11-26T06:22:19Z");
    }
    c.text("oof_shard", order.oofShard());
    return List.copyOf(c.violations);
  }

  private static void delivery(Checks c, Delivery d) {
    if (d == null) {
      c.add("delivery", "is required");
      return;
    }
    c.text("delivery.name", d.name());
    c.text("delivery.phone", d.phone());
    c.text("delivery.zip", d.zip());
    c.text("delivery.city", d.city());
    c.text("delivery.address", d.address());
    c.text("delivery.region", d.region());
    if (c.text("delivery.email", d.email()) && !EMAIL.matcher(d.email()).matches()) {
      c.add("delivery.email", "must be an e-mail address");
    }
  }

  private static void payment(Checks c, Payment p) {
    if (p == null) {
      c.add("payment", "is required");
      return;
    }
    c.text("payment.transaction", p.transaction());
    c.present("payment.request_id", p.requestId());
    if (c.text("payment.currency", p.currency()) && !CURRENCY.matcher(p.currency()).matches()) {
      c.add("payment.currency", "must be three upper-case letters (ISO 4217)");
    }
    c.text("payment.provider", p.provider());
    c.nonNegative("payment.amount", p.amount());
    c.nonNegative("payment.payment_dt", p.paymentDt());
    c.text("payment.bank", p.bank());
    c.nonNegative("payment.delivery_cost", p.deliveryCost());
    c.nonNegative("payment.goods_total", p.goodsTotal());
    c.nonNegative("payment.custom_fee", p.customFee());
  }

  private static void items(Checks c, List<Item> items) {
    if (items.isEmpty()) {
      c.add("items", "must contain at least one item");
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      String at = "items[" + i + "]";
      Item item = items.get(i);
      c.nonNegative(at + ".chrt_id", item.chrtId());
      c.text(at + ".track_number", item.trackNumber());
      c.nonNegative(at + ".price", item.price());
      c.text(at + ".rid", item.rid());
      c.text(at + ".name", item.name());
      c.nonNegative(at + ".sale", item.sale());
      c.text(at + ".size", item.size());
      c.nonNegative(at + ".total_price", item.totalPrice());
      c.nonNegative(at + ".nm_id", item.nmId());
      c.text(at + ".brand", item.brand());
      c.nonNegative(at + ".status", item.status());
    }
  }

  private static boolean isOffsetDateTime(String value) {
    return OrderDates.isValid(value);
  }

  /** Collects violations; each check answers whether the value can be checked further. */
  private static final class Checks {
    final List<Violation> violations = new ArrayList<>();

    void add(String path, String reason) {
      violations.add(new Violation(path, reason));
    }

    boolean present(String path, String value) {
      if (value == null) {
        add(path, "is required");
        return false;
      }
      if (value.indexOf('\0') >= 0) {
        add(path, "must not contain NUL characters");
        return false;
      }
      return true;
    }

    boolean text(String path, String value) {
      if (!present(path, value)) {
        return false;
      }
      if (value.isBlank()) {
        add(path, "must not be blank");
        return false;
      }
      return true;
    }

    void nonNegative(String path, long value) {
      if (value < 0) {
        add(path, "must be >= 0");
      }
    }
  }
}
