package dev.orderservice.domain;

import java.util.Objects;

/**
 * An order as a search result or a live event shows it: enough to recognise it and to fetch the
 * whole order, not the whole order.
 *
 * @param orderUid the order's uid
 * @param trackNumber the order's track number
 * @param customerId the customer's id
 * @param dateCreated {@code date_created} as the producer wrote it (with its offset)
 * @param amount the payment amount in minor units of {@code currency}
 * @param currency the payment's currency
 * @param itemCount how many items the order has
 */
public record OrderSummary(
    String orderUid,
    String trackNumber,
    String customerId,
    String dateCreated,
    int amount,
    String currency,
    int itemCount) {

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
