package dev.orderservice.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An order as producers send it: the header, one {@link Delivery}, one {@link Payment} and its
 * {@link Item}s.
 *
 * <p>A decoded order is not yet a valid one: string fields and nested objects may be {@code null}
 * until {@link OrderValidator} has accepted it. Numbers are primitives because the codec refuses a
 * document that lacks one. {@code items} is never {@code null} (a missing list decodes as empty)
 * and is unmodifiable. The JSON property order below is the canonical order written by {@link
 * OrderCodec#encode(Order)}.
 */
@JsonPropertyOrder({
  "order_uid",
  "track_number",
  "entry",
  "delivery",
  "payment",
  "items",
  "locale",
  "internal_signature",
  "customer_id",
  "delivery_service",
  "shardkey",
  "sm_id",
  "date_created",
  "oof_shard"
})
public record Order(
    @JsonProperty("order_uid") String orderUid,
    @JsonProperty("track_number") String trackNumber,
    @JsonProperty("entry") String entry,
    @JsonProperty("delivery") Delivery delivery,
    @JsonProperty("payment") Payment payment,
    @JsonProperty("items") List<Item> items,
    @JsonProperty("locale") String locale,
    @JsonProperty("internal_signature") String internalSignature,
    @JsonProperty("customer_id") String customerId,
    @JsonProperty("delivery_service") String deliveryService,
    @JsonProperty("shardkey") String shardkey,
    @JsonProperty(value = "sm_id", required = true) int smId,
    @JsonProperty("date_created") String dateCreated,
    @JsonProperty("oof_shard") String oofShard) {

  public Order {
    if (items == null) {
      items = List.of();
    } else if (items.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException("items: must not contain null");
    } else {
      items = List.copyOf(items);
    }
  }

  /** This order with another {@code order_uid}. */
  public Order withOrderUid(String orderUid) {
    return copy(c -> c.orderUid = orderUid);
  }

  /** This order with another {@code track_number}. */
  public Order withTrackNumber(String trackNumber) {
    return copy(c -> c.trackNumber = trackNumber);
  }

  /** This order with another {@code entry}. */
  public Order withEntry(String entry) {
    return copy(c -> c.entry = entry);
  }

  /** This order with another delivery. */
  public Order withDelivery(Delivery delivery) {
    return copy(c -> c.delivery = delivery);
  }

  /** This order with another payment. */
  public Order withPayment(Payment payment) {
    return copy(c -> c.payment = payment);
  }

  /**
   * This order with other items.
   *
   * @throws IllegalArgumentException if {@code items} holds a null
   */
  public Order withItems(List<Item> items) {
    return copy(c -> c.items = items);
  }

  /** This order with another {@code internal_signature}. */
  public Order withInternalSignature(String internalSignature) {
    return copy(c -> c.internalSignature = internalSignature);
  }

  /** This order with another {@code customer_id}. */
  public Order withCustomerId(String customerId) {
    return copy(c -> c.customerId = customerId);
  }

  /** This order with another {@code date_created}. */
  public Order withDateCreated(String dateCreated) {
    return copy(c -> c.dateCreated = dateCreated);
  }

  /**
   * A copy of this order with what {@code change} sets: the one place besides the callers of the
   * canonical constructor that lists the fields, so that each wither names only what it changes.
   */
  private Order copy(Consumer<Fields> change) {
    Fields fields = new Fields(this);
    change.accept(fields);
    return fields.order();
  }

  /** The fields of an order being copied. */
  private static final class Fields {
    String orderUid;
    String trackNumber;
    String entry;
    Delivery delivery;
    Payment payment;
    List<Item> items;
    String locale;
    String internalSignature;
    String customerId;
    String deliveryService;
    String shardkey;
    int smId;
    String dateCreated;
    String oofShard;

    Fields(Order o) {
      orderUid = o.orderUid;
      trackNumber = o.trackNumber;
      entry = o.entry;
      delivery = o.delivery;
      payment = o.payment;
      items = o.items;
      locale = o.locale;
      internalSignature = o.internalSignature;
      customerId = o.customerId;
      deliveryService = o.deliveryService;
      shardkey = o.shardkey;
      smId = o.smId;
      dateCreated = o.dateCreated;
      oofShard = o.oofShard;
    }

    Order order() {
      return new Order(
          orderUid,
          trackNumber,
          entry,
          delivery,
          payment,
          items,
          locale,
          internalSignature,
          customerId,
          deliveryService,
          shardkey,
          smId,
          dateCreated,
          oofShard);
    }
  }
}
