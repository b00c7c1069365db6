package dev.orderservice.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The use cases that store orders, shared by every way an order arrives (Kafka, HTTP upload,
 * command line), so an order means the same thing whichever way it came.
 *
 * <ul>
 *   <li>{@link #acceptDocuments(List)}: read raw documents, then as below; {@link #check} and
 *       {@link #store} are its two halves;
 *   <li>{@link #accept(Order)} and {@link #acceptAll(List)}: validate, store idempotently, then
 *       cache what is stored.
 * </ul>
 *
 * <p>Reading and checking is its {@link OrderChecker}'s; finding an order is {@link OrderLookup}'s.
 *
 * <p>Thread safe if its ports are. Blocks while the store works. Store failures propagate as {@link
 * OrderStoreException}; an invalid order, a duplicate or a conflict is a result, not an exception.
 */
public final class OrderService {

  /** The cache of a service that has none: keeps nothing, finds nothing. */
  private static final OrderCache NO_CACHE =
      new OrderCache() {
        @Override
        public Optional<byte[]> get(String orderUid) {
          return Optional.empty();
        }

        @Override
        public void put(String orderUid, byte[] json) {
          // nothing kept
        }
      };

  private final OrderStore store;
  private final OrderCache cache;
  private final OrderChecker checker;

  public OrderService(OrderStore store, OrderCache cache) {
    this(store, cache, new OrderChecker());
  }

  public OrderService(
      OrderStore store, OrderCache cache, OrderValidator validator, OrderCodec codec) {
    this(store, cache, new OrderChecker(validator, codec));
  }

  /**
   * @param codec how raw documents are read ({@link #check}); a lenient one skips unknown fields
   * @param ignoredFields told of each unknown field a lenient codec skipped, to log and count it
   */
  public OrderService(
      OrderStore store,
      OrderCache cache,
      OrderValidator validator,
      OrderCodec codec,
      IgnoredFields ignoredFields) {
    this(store, cache, new OrderChecker(validator, codec, ignoredFields));
  }

  /**
   * @param checker how orders are read and checked before they are stored
   */
  public OrderService(OrderStore store, OrderCache cache, OrderChecker checker) {
    this.store = Objects.requireNonNull(store, "store");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.checker = Objects.requireNonNull(checker, "checker");
  }

  /**
   * A service that stores orders and caches none, for a process that writes straight to the store
   * and ends (a command-line import): a running service fills its own cache on its first miss.
   */
  public static OrderService withoutCache(OrderStore store, OrderChecker checker) {
    return new OrderService(store, NO_CACHE, checker);
  }

  /** Port: told of each field a lenient codec skipped, by JSON path; thread safe. */
  @FunctionalInterface
  public interface IgnoredFields {
    /**
     * @param fieldPath e.g. {@code delivery.gift_note}, array indices as {@code []}
     */
    void ignored(String fieldPath);
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
   * The first half of {@link #acceptAll}: checks every order and encodes the valid ones ({@link
   * OrderChecker#validate}). No I/O; may run on any thread, e.g. on the next batch while this
   * service stores the previous one.
   */
  public ValidatedOrders validate(List<Order> batch) {
    return checker.validate(batch);
  }

  /**
   * Reads, checks and stores raw documents, as they arrive from any source: {@link #check} then
   * {@link #store}. A document that is not an order ends {@link AcceptResult.Status#UNREADABLE},
   * its one violation saying where in its input and what.
   *
   * @return one result per document, in input order
   * @throws OrderStoreException if the store failed; then nothing of the batch was stored or cached
   */
  public List<AcceptResult> acceptDocuments(List<OrderDocument> documents) {
    return store(check(documents));
  }

  /**
   * Reads every document with this service's codec and checks every order it holds ({@link
   * OrderChecker#check}): the one decode path of every way in (Kafka, HTTP, the command line).
   * Positions of a document that cannot be read are given in the input it was cut from. Fields the
   * codec skipped (when lenient) are reported to the {@link IgnoredFields} port. No I/O.
   */
  public ValidatedOrders check(List<OrderDocument> documents) {
    return checker.check(documents);
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
      // Not a DUPLICATE: what is stored may be the erased document (README "Personal data"),
      // and a lookup caches what is stored.
      if (saved.get(k).outcome() == SaveOutcome.INSERTED) {
        cache.put(valid.get(k).orderUid(), valid.get(k).json());
      }
    }
    return batch.results(saved);
  }
}
