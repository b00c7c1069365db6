package dev.orderservice.cli;

import dev.orderservice.domain.OrderCache;
import java.util.Optional;

/**
 * The CLI's cache: keeps nothing. The CLI writes straight to the database and exits; a running
 * service fills its own cache on its first miss for an imported order.
 */
final class NoOrderCache implements OrderCache {

  static final NoOrderCache INSTANCE = new NoOrderCache();

  private NoOrderCache() {}

  @Override
  public Optional<byte[]> get(String orderUid) {
    return Optional.empty();
  }

  @Override
  public void put(String orderUid, byte[] json) {
    // nothing kept
  }
}
