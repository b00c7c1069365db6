package dev.orderservice.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

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
}
