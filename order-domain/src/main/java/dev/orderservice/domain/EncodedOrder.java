package dev.orderservice.domain;

import java.util.Objects;

/**
 * An order together with its canonical JSON, as {@link OrderCodec#encode(Order)} wrote it. The
 * bytes are what the cache holds and what {@code GET /orders/{uid}} returns; stores hash them to
 * tell an identical repeat from a conflicting one.
 *
 * <p>The array is shared, not copied: callers must not modify it.
 */
public record EncodedOrder(Order order, byte[] json) {

  public EncodedOrder {
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(json, "json");
  }

  public String orderUid() {
    return order.orderUid();
  }
}
