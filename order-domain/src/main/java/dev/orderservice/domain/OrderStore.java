package dev.orderservice.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port: where accepted orders are kept durably, and read back one by one or a few at a time by uid.
 * Implementations are thread safe and may block. Searching stored orders is {@link OrderSearch}'s
 * role, reading the newest in bulk (to warm a cache) {@link RecentOrders}'s.
 *
 * <p>Failures of the underlying storage surface as {@link OrderStoreException}, which says whether
 * retrying later can help.
 */
public interface OrderStore {

  /**
   * Stores a batch atomically and idempotently: one transaction for the whole batch; an order whose
   * uid is already stored is not written again. Orders with the same uid within the batch are taken
   * in order: the first wins, later ones are compared with it.
   *
   * @return one result per input order, in input order
   * @throws OrderStoreException if the batch could not be stored; then nothing of it was written
   */
  List<SaveResult> saveAll(List<EncodedOrder> batch);

  /** The canonical JSON of a stored order, byte for byte what was accepted. */
  Optional<byte[]> findJson(String orderUid);

  /**
   * The canonical JSON of those of {@code orderUids} that are stored, by uid; the others are absent
   * from the map. This default asks {@link #findJson} for each; a store that can answer for many in
   * one round trip does so.
   */
  default Map<String, byte[]> findJsonAll(Collection<String> orderUids) {
    Map<String, byte[]> found = new HashMap<>();
    for (String uid : orderUids) {
      findJson(uid).ifPresent(json -> found.put(uid, json));
    }
    return found;
  }
}
