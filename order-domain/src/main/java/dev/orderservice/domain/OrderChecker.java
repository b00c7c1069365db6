package dev.orderservice.domain;

import java.util.List;
import java.util.Objects;

/**
 * Reads and checks orders without storing them: the first half of every way in, and all of what a
 * dry run or an offline check does. Documents are read with this checker's codec (the one decode
 * path of Kafka, HTTP and the command line) and every order is validated; the valid ones come back
 * encoded as canonical JSON, ready for {@link OrderService#store}.
 *
 * <p>Needs no store and no cache, and does no I/O: it may run on any thread, e.g. on the next batch
 * while the previous one is being stored. Thread safe if its {@link OrderService.IgnoredFields}
 * port is. Throws nothing for what a document contains: an unreadable document or an invalid order
 * is a result.
 */
public final class OrderChecker {

  private final OrderValidator validator;
  private final OrderCodec codec;
  private final OrderService.IgnoredFields ignoredFields;

  /** The service's rules, read strictly ({@link OrderCodec#standard()}). */
  public OrderChecker() {
    this(new OrderValidator(), OrderCodec.standard());
  }

  public OrderChecker(OrderValidator validator, OrderCodec codec) {
    this(validator, codec, field -> {});
  }

  /**
   * @param codec how raw documents are read ({@link #check}); a lenient one skips unknown fields
   * @param ignoredFields told of each unknown field a lenient codec skipped, to log and count it
   */
  public OrderChecker(
      OrderValidator validator, OrderCodec codec, OrderService.IgnoredFields ignoredFields) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.ignoredFields = Objects.requireNonNull(ignoredFields, "ignoredFields");
  }

  /**
   * Reads every document with this checker's codec and checks every order it holds. A document that
   * is not an order ends {@link AcceptResult.Status#UNREADABLE}, its one violation saying where in
   * the input it was cut from and what. Fields the codec skipped (when lenient) are reported to the
   * {@link OrderService.IgnoredFields} port.
   *
   * @return one entry per document, in input order
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

  /**
   * Checks every order and encodes the valid ones.
   *
   * @return one entry per order, in input order
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

  private void check(Order order, int i, AcceptResult[] rejected, EncodedOrder[] valid) {
    List<Violation> violations = validator.validate(order);
    if (violations.isEmpty()) {
      valid[i] = codec.encoded(order);
    } else {
      rejected[i] = AcceptResult.invalid(order == null ? "" : order.orderUid(), violations);
    }
  }
}
