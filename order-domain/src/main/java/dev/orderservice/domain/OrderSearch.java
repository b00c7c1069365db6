package dev.orderservice.domain;

/**
 * Port: finds stored orders by what a search filters on, a page at a time. Implementations are
 * thread safe and may block.
 *
 * <p>Failures of the underlying storage surface as {@link OrderStoreException}, which says whether
 * retrying later can help.
 */
public interface OrderSearch {

  /**
   * One page of the stored orders that match {@code query}, newest first by the instant of {@code
   * date_created} (see {@link OrderQuery}), with where the next page starts while more match. Pages
   * are found by position ({@link OrderCursor}), never by offset, so every page costs the same.
   * With no filter: the newest orders.
   *
   * @throws OrderStoreException if the storage failed
   */
  OrderPage search(OrderQuery query);
}
