package dev.orderservice.ingest;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.SaveResult;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A store for tests whose records never reach one: any call is a test failure. */
final class UnusedStore implements OrderStore {

  @Override
  public List<SaveResult> saveAll(List<EncodedOrder> batch) {
    throw new AssertionError("saveAll was not expected");
  }

  @Override
  public Optional<byte[]> findJson(String orderUid) {
    throw new AssertionError("findJson was not expected");
  }

  @Override
  public long streamAll(Consumer<EncodedOrder> sink) {
    throw new AssertionError("streamAll was not expected");
  }

  @Override
  public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
    throw new AssertionError("streamNewest was not expected");
  }

  @Override
  public long count() {
    throw new AssertionError("count was not expected");
  }

  @Override
  public long countUpTo(long limit) {
    throw new AssertionError("countUpTo was not expected");
  }

  @Override
  public OrderPage search(OrderQuery query) {
    throw new AssertionError("search was not expected");
  }
}
