package dev.orderservice.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * An order as a search result or a live event shows it: enough to recognise it and to fetch the
 * whole order, not the whole order. Its JSON ({@link OrderSummaryJson}) has the fields below under
 * the names of the order's own, in this order.
 *
 * @param orderUid the order's uid
 * @param trackNumber the order's track number
 * @param customerId the customer's id
 * @param dateCreated {@code date_created} as the producer wrote it (with its offset)
 * @param amount the payment amount in minor units of {@code currency}
 * @param currency the payment's currency
 * @param itemCount how many items the order has
 */
@JsonPropertyOrder({
  "order_uid",
  "track_number",
  "customer_id",
  "date_created",
  "amount",
  "currency",
  "item_count"
})
public record OrderSummary(
    @JsonProperty(value = "order_uid", required = true) String orderUid,
    @JsonProperty(value = "track_number", required = true) String trackNumber,
    @JsonProperty(value = "customer_id", required = true) String customerId,
    @JsonProperty(value = "date_created", required = true) String dateCreated,
    @JsonProperty(value = "amount", required = true) int amount,
    @JsonProperty(value = "currency", required = true) String currency,
    @JsonProperty(value = "item_count", required = true) int itemCount) {

  public OrderSummary {
    Objects.requireNonNull(orderUid, "orderUid");
    Objects.requireNonNull(trackNumber, "trackNumber");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(dateCreated, "dateCreated");
    Objects.requireNonNull(currency, "currency");
  }

  /**
   * The summary of a valid order.
   *
   * @throws NullPointerException if the order lacks a field the summary shows
   */
  public static OrderSummary of(Order order) {
    return new OrderSummary(
        order.orderUid(),
        order.trackNumber(),
        order.customerId(),
        order.dateCreated(),
        Objects.requireNonNull(order.payment(), "payment").amount(),
        order.payment().currency(),
        Objects.requireNonNull(order.items(), "items").size());
  }
}
