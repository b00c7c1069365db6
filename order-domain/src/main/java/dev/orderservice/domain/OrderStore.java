package dev.orderservice.domain;

import java.util.List;
import java.util.Optional;
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
   * Feeds every stored order to {@code sink}, oldest first, in one streaming pass with constant
   * memory. The sink runs on the caller's thread.
   *
   * @return how many orders were fed
   */
  long streamAll(Consumer<EncodedOrder> sink);

  /** How many orders are stored. */
  long count();

  /** The most recently stored orders, newest first, at most {@code limit}. */
  List<OrderSummary> recent(int limit);
}
