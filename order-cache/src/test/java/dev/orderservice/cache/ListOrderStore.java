package dev.orderservice.cache;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.SaveResult;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A store over a fixed list of orders, oldest first, for the warm-up's reads only. Subclasses
 * override {@link #count()} or {@link #streamNewest} to fail or stall.
 */
class ListOrderStore implements OrderStore {

  final List<EncodedOrder> orders;

  ListOrderStore(List<EncodedOrder> orders) {
    this.orders = List.copyOf(orders);
  }

  @Override
  public long streamAll(Consumer<EncodedOrder> sink) {
    orders.forEach(sink);
    return orders.size();
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

  @Override
  public long count() {
    return orders.size();
  }

  @Override
  public long countUpTo(long limit) {
    return Math.min(limit, count());
  }

  @Override
  public List<SaveResult> saveAll(List<EncodedOrder> batch) {
    throw new UnsupportedOperationException("the warm-up only reads");
  }

  @Override
  public Optional<byte[]> findJson(String orderUid) {
    throw new UnsupportedOperationException("the warm-up reads in one pass");
  }

  @Override
  public OrderPage search(OrderQuery query) {
    throw new UnsupportedOperationException("the warm-up only streams");
  }
}
