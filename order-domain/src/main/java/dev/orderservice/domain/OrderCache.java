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

  /**
   * Drops an order whose personal data was erased or that was deleted, and keeps it out for a
   * while: a {@link #put} of it that raced with the erasure (an ingest or a lookup that read it
   * just before) must not bring the old document back. This default only drops nothing: a cache
   * that keeps entries must override it.
   */
  default void evict(String orderUid) {}
}
