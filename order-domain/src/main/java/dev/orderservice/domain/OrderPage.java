package dev.orderservice.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a search.
 *
 * @param orders the orders of the page, newest first
 * @param next where the next page starts; empty when no more orders match
 */
public record OrderPage(List<OrderSummary> orders, Optional<OrderCursor> next) {

  public OrderPage {
    orders = List.copyOf(Objects.requireNonNull(orders, "orders"));
    Objects.requireNonNull(next, "next");
  }
}
