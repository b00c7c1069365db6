package dev.orderservice.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Port: where accepted orders are kept durably. Implementations are thread safe and may block.
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

  /**
   * Feeds every stored order to {@code sink}, oldest first, in one streaming pass with constant
   * memory. The sink runs on the caller's thread.
   *
   * @return how many orders were fed
   */
  long streamAll(Consumer<EncodedOrder> sink);

  /**
   * Feeds the canonical JSON of the most recently stored orders to {@code sink}, newest first, at
   * most {@code limit} of them, in one streaming pass with constant memory: what a cache bounded to
   * {@code limit} entries should hold. Its cost is set by {@code limit}, not by how many orders are
   * stored. The sink runs on the caller's thread and gets each order's uid and its JSON (shared,
   * not copied).
   *
   * @return how many orders were fed
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  long streamNewest(long limit, BiConsumer<String, byte[]> sink);

  /** How many orders are stored. */
  long count();

  /**
   * How many orders are stored, counting no further than {@code limit}: {@code min(count(),
   * limit)}, at a cost set by {@code limit}.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  long countUpTo(long limit);

  /**
   * One page of the stored orders that match {@code query}, newest first by the instant of {@code
   * date_created} (see {@link OrderQuery}), with where the next page starts while more match.
   * Pages are found by position ({@link OrderCursor}), never by offset, so every page costs the
   * same. With no filter: the newest orders.
   */
  OrderPage search(OrderQuery query);
}
