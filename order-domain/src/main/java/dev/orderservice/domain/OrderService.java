package dev.orderservice.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The use cases of the order service, shared by every way an order arrives (Kafka, HTTP upload,
 * command line), so an order means the same thing whichever way it came.
 *
 * <ul>
 *   <li>{@link #acceptDocuments(List)}: read raw documents, then as below; {@link #check} and
 *       {@link #store} are its two halves;
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
  private final IgnoredFields ignoredFields;

  public OrderService(OrderStore store, OrderCache cache) {
    this(store, cache, new OrderValidator(), OrderCodec.standard());
  }

  public OrderService(
      OrderStore store, OrderCache cache, OrderValidator validator, OrderCodec codec) {
    this(store, cache, validator, codec, field -> {});
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
    this.store = Objects.requireNonNull(store, "store");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.ignoredFields = Objects.requireNonNull(ignoredFields, "ignoredFields");
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
   * The first half of {@link #acceptAll}: checks every order and encodes the valid ones. No I/O;
   * may run on any thread, e.g. on the next batch while this service stores the previous one.
   */
  public ValidatedOrders validate(List<Order> batch) {
    Objects.requireNonNull(batch, "batch");
    AcceptResult[] rejected = new AcceptResult[batch.size()];
    EncodedOrder[] valid = new EncodedOrder[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      check(batch.get(i), i, rejected, valid);
    }
    return new ValidatedOrders(rejected, valid);
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
   * Reads every document with this service's codec and checks every order it holds: the one decode
   * path of every way in (Kafka, HTTP, the command line). Positions of a document that cannot be
   * read are given in the input it was cut from. Fields the codec skipped (when lenient) are
   * reported to the {@link IgnoredFields} port. No I/O.
   */
  public ValidatedOrders check(List<OrderDocument> documents) {
    Objects.requireNonNull(documents, "documents");
    AcceptResult[] rejected = new AcceptResult[documents.size()];
    EncodedOrder[] valid = new EncodedOrder[documents.size()];
    for (int i = 0; i < documents.size(); i++) {
      OrderDocument document = documents.get(i);
      if (document.unreadable().isPresent()) {
        rejected[i] = AcceptResult.unreadable("", document.unreadable().get());
        continue;
      }
      DecodeResult decoded = codec.decode(document.json());
      if (decoded instanceof DecodeResult.Failed failed) {
        rejected[i] =
            AcceptResult.unreadable(
                codec.peekOrderUid(document.json()),
                failed.within(document.line(), document.column()));
        continue;
      }
      DecodeResult.Decoded order = (DecodeResult.Decoded) decoded;
      order.ignoredFields().forEach(ignoredFields::ignored);
      check(order.order(), i, rejected, valid);
    }
    return new ValidatedOrders(rejected, valid);
  }

  private void check(Order order, int i, AcceptResult[] rejected, EncodedOrder[] valid) {
    List<Violation> violations = validator.validate(order);
    if (violations.isEmpty()) {
      valid[i] = codec.encoded(order);
    } else {
      rejected[i] = AcceptResult.invalid(order == null ? "" : order.orderUid(), violations);
    }
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
