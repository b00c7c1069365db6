package dev.orderservice.domain;

import java.util.Optional;

/**
 * Port: an in-memory map from {@code order_uid} to canonical JSON. Implementations are thread safe,
 * never block on I/O and may evict entries at will; the store stays the source of truth.
 *
 * <p>Arrays are shared, not copied: neither side may modify them after {@link #put}.
 */
public interface OrderCache {

  Optional<byte[]> get(String orderUid);

  void put(String orderUid, byte[] json);
}
