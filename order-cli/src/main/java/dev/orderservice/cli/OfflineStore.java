package dev.orderservice.cli;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.SaveResult;
import java.util.List;
import java.util.Optional;

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

  private static IllegalStateException offline() {
    return new IllegalStateException("this command works offline: it has no database");
  }
}
