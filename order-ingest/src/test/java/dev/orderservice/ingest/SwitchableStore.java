package dev.orderservice.ingest;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.SaveResult;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A store that can be made unreachable on demand: while down, {@link #saveAll} fails at once with a
 * transient {@link OrderStoreException}, as the real store does when the database is away.
 * Everything else goes to the real store.
 */
final class SwitchableStore implements OrderStore {

  private final OrderStore store;
  private volatile boolean down;

  SwitchableStore(OrderStore store) {
    this.store = store;
  }

  void down() {
    down = true;
  }

  void up() {
    down = false;
  }

  @Override
  public List<SaveResult> saveAll(List<EncodedOrder> batch) {
    if (down) {
      throw new OrderStoreException(
          "could not save a batch: the database is down (test)", true, null);
    }
    return store.saveAll(batch);
  }

  @Override
  public Optional<byte[]> findJson(String orderUid) {
    return store.findJson(orderUid);
  }

  @Override
  public long streamAll(Consumer<EncodedOrder> sink) {
    return store.streamAll(sink);
  }

  @Override
  public long count() {
    return store.count();
  }

  @Override
  public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
    return store.streamNewest(limit, sink);
  }

  @Override
  public long countUpTo(long limit) {
    return store.countUpTo(limit);
  }

  @Override
  public OrderPage search(OrderQuery query) {
    return store.search(query);
  }
}
