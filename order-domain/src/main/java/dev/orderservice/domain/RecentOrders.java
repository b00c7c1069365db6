package dev.orderservice.domain;

import java.util.function.BiConsumer;

/**
 * Port: the most recently stored orders, in bulk and newest first, for whoever keeps a bounded copy
 * of them (a cache warming up). Every method's cost is set by its {@code limit}, not by how many
 * orders are stored. Implementations are thread safe and may block.
 *
 * <p>Failures of the underlying storage surface as {@link OrderStoreException}, which says whether
 * retrying later can help.
 */
public interface RecentOrders {

  /**
   * Feeds the canonical JSON of the most recently stored orders to {@code sink}, newest first, at
   * most {@code limit} of them, in one streaming pass with constant memory: what a cache bounded to
   * {@code limit} entries should hold. The sink runs on the caller's thread and gets each order's
   * uid and its JSON (shared, not copied).
   *
   * @return how many orders were fed
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  long streamNewest(long limit, BiConsumer<String, byte[]> sink);

  /**
   * How many orders are stored, counting no further than {@code limit}: the smaller of the two.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  long countUpTo(long limit);
}
