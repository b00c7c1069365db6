package dev.orderservice.domain;

/**
 * A line of the "recent orders" list: enough to recognise an order, no personal data.
 *
 * @param amount the payment amount in minor units of {@code currency}
 */
public record OrderSummary(
    String orderUid, String dateCreated, int amount, String currency, int itemCount) {}
