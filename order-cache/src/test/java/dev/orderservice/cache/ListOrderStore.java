package dev.orderservice.cache;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.RecentOrders;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The recent orders of a store over a fixed list of orders, oldest first. Subclasses override
 * {@link #count()} or {@link #streamNewest} to fail or stall.
 */
class ListOrderStore implements RecentOrders {

  final List<EncodedOrder> orders;

  ListOrderStore(List<EncodedOrder> orders) {
    this.orders = List.copyOf(orders);
  }

  /** Newest first: the list's end first. */
  @Override
  public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
    long fed = 0;
    for (int i = orders.size() - 1; i >= 0 && fed < limit; i--, fed++) {
      sink.accept(orders.get(i).orderUid(), orders.get(i).json());
    }
    return fed;
  }

  /** How many orders the store holds; what {@link #countUpTo} counts to. */
  long count() {
    return orders.size();
  }

  @Override
  public long countUpTo(long limit) {
    return Math.min(limit, count());
  }
}
