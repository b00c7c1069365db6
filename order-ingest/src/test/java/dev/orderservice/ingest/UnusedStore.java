package dev.orderservice.ingest;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.SaveResult;
import java.util.List;
import java.util.Optional;

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
}
