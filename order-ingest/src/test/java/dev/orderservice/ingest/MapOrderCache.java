package dev.orderservice.ingest;

import dev.orderservice.domain.OrderCache;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** An unbounded {@link OrderCache} for tests: what the service cached is what the test reads. */
final class MapOrderCache implements OrderCache {

  private final ConcurrentMap<String, byte[]> entries = new ConcurrentHashMap<>();

  @Override
  public Optional<byte[]> get(String orderUid) {
    return Optional.ofNullable(entries.get(orderUid));
  }

  @Override
  public void put(String orderUid, byte[] json) {
    entries.put(orderUid, json);
  }

  int size() {
    return entries.size();
  }
}
