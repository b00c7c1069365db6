package dev.orderservice.cli;

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
 * The store of commands that only read and check documents ({@code validate}, dry runs): there is
 * none, and a call that would need one is a defect of the command.
 */
final class OfflineStore implements OrderStore {

  static final OfflineStore INSTANCE = new OfflineStore();

  private OfflineStore() {}

  @Override
  public List<SaveResult> saveAll(List<EncodedOrder> batch) {
    throw offline();
  }

  @Override
  public Optional<byte[]> findJson(String orderUid) {
    throw offline();
  }

  @Override
  public long streamAll(Consumer<EncodedOrder> sink) {
    throw offline();
  }

  @Override
  public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
    throw offline();
  }

  @Override
  public long count() {
    throw offline();
  }

  @Override
  public long countUpTo(long limit) {
    throw offline();
  }

  @Override
  public OrderPage search(OrderQuery query) {
    throw offline();
  }

  private static IllegalStateException offline() {
    return new IllegalStateException("this command works offline: it has no database");
  }
}
