package dev.orderservice.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The use cases of the order service, shared by every way an order arrives (Kafka, HTTP upload,
 * command line), so an order means the same thing whichever way it came.
 *
 * <ul>
 *   <li>{@link #accept(Order)} and {@link #acceptAll(List)}: validate, store idempotently, then
 *       cache what is stored;
 *   <li>{@link #find(String)}: the cache first, then the store, filling the cache on a miss.
 * </ul>
 *
 * <p>Thread safe if its ports are. Blocks while the store works. Store failures propagate as {@link
 * OrderStoreException}; an invalid order, a duplicate or a conflict is a result, not an exception.
 */
public final class OrderService {

  private final OrderStore store;
  private final OrderCache cache;
  private final OrderValidator validator;
  private final OrderCodec codec;

  public OrderService(OrderStore store, OrderCache cache) {
    this(store, cache, new OrderValidator(), OrderCodec.standard());
  }

  public OrderService(
      OrderStore store, OrderCache cache, OrderValidator validator, OrderCodec codec) {
    this.store = Objects.requireNonNull(store, "store");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /** Validates, stores and caches one order. */
  public AcceptResult accept(Order order) {
    return acceptAll(List.of(order)).get(0);
  }

  /**
   * Validates every order, stores the valid ones with one {@link OrderStore#saveAll} call (one
   * transaction), then caches those that are stored: {@link #validate} then {@link #store}.
   *
   * @return one result per order, in input order
   * @throws OrderStoreException if the store failed; then nothing of the batch was stored or cached
   */
  public List<AcceptResult> acceptAll(List<Order> batch) {
    return store(validate(batch));
  }

  /**
   * The first half of {@link #acceptAll}: checks every order and encodes the valid ones. No I/O;
   * may run on any thread, e.g. on the next batch while this service stores the previous one.
   */
  public ValidatedOrders validate(List<Order> batch) {
    Objects.requireNonNull(batch, "batch");
    AcceptResult[] invalid = new AcceptResult[batch.size()];
    List<EncodedOrder> valid = new ArrayList<>(batch.size());
    int[] positions = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Order order = batch.get(i);
      List<Violation> violations = validator.validate(order);
      if (violations.isEmpty()) {
        positions[valid.size()] = i;
        valid.add(codec.encoded(order));
      } else {
        invalid[i] = AcceptResult.invalid(order == null ? "" : order.orderUid(), violations);
      }
    }
    return new ValidatedOrders(invalid, valid, positions);
  }

  /**
   * The second half of {@link #acceptAll}: stores the valid orders of a validated batch with one
   * {@link OrderStore#saveAll} call (one transaction), then caches those that are stored.
   *
   * @return one result per order of the batch, valid or not, in input order
   * @throws OrderStoreException if the store failed; then nothing of the batch was stored or cached
   */
  public List<AcceptResult> store(ValidatedOrders batch) {
    Objects.requireNonNull(batch, "batch");
    List<EncodedOrder> valid = batch.valid();
    if (valid.isEmpty()) {
      return batch.results(List.of());
    }
    List<SaveResult> saved = store.saveAll(valid);
    if (saved.size() != valid.size()) {
      throw new IllegalStateException(
          "store returned " + saved.size() + " results for " + valid.size() + " orders");
    }
    for (int k = 0; k < valid.size(); k++) {
      if (saved.get(k).outcome() != SaveOutcome.CONFLICT) {
        cache.put(valid.get(k).orderUid(), valid.get(k).json());
      }
    }
    return batch.results(saved);
  }

  /** The canonical JSON of an order: from the cache, else from the store (then cached). */
  public Optional<byte[]> find(String orderUid) {
    Objects.requireNonNull(orderUid, "orderUid");
    Optional<byte[]> cached = cache.get(orderUid);
    if (cached.isPresent()) {
      return cached;
    }
    Optional<byte[]> stored = store.findJson(orderUid);
    stored.ifPresent(json -> cache.put(orderUid, json));
    return stored;
  }
}
