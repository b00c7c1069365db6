package dev.orderservice.cli;

import dev.orderservice.cli.OrderFeed.Destination;
import dev.orderservice.cli.OrderFeed.Result;
import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.domain.Violation;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The three places {@link OrderFeed} can send orders to. */
final class Destinations {

  private static final String CONFLICT_REASON =
      "another order with this order_uid and different content is already stored";

  private Destinations() {}

  /** Into the database through the service's use case: validated, stored idempotently. */
  static Destination store(OrderService service) {
    return batch -> service.acceptAll(batch).stream().map(Destinations::result).toList();
  }

  /**
   * To a topic: invalid orders are counted and not sent; valid ones are sent as canonical JSON
   * keyed by their uid, and the batch returns once the broker has acknowledged all of them.
   */
  static Destination topic(Producer<byte[], byte[]> producer, String topic, OrderCodec codec) {
    OrderValidator validator = new OrderValidator();
    return batch -> {
      List<Result> results = new ArrayList<>(batch.size());
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (Order order : batch) {
        List<Violation> violations = validator.validate(order);
        if (!violations.isEmpty()) {
          results.add(invalid(order, violations));
          continue;
        }
        records.add(KafkaClients.record(topic, order.orderUid(), codec.encode(order)));
        results.add(Result.of(Tally.Outcome.PUBLISHED, order.orderUid()));
      }
      KafkaClients.sendAll(producer, records);
      return results;
    };
  }

  /** Nowhere: validate only (a dry run). */
  static Destination validateOnly() {
    OrderValidator validator = new OrderValidator();
    return batch -> batch.stream()
        .map(order -> {
          List<Violation> violations = validator.validate(order);
          return violations.isEmpty()
              ? Result.of(Tally.Outcome.VALID, order.orderUid())
              : invalid(order, violations);
        })
        .toList();
  }

  private static Result result(AcceptResult accepted) {
    return switch (accepted.status()) {
      case INSERTED -> Result.of(Tally.Outcome.INSERTED, accepted.orderUid());
      case DUPLICATE -> Result.of(Tally.Outcome.DUPLICATE, accepted.orderUid());
      case CONFLICT -> new Result(Tally.Outcome.CONFLICT, accepted.orderUid(),
          List.of(CONFLICT_REASON));
      case INVALID -> new Result(Tally.Outcome.INVALID, accepted.orderUid(),
          accepted.violations().stream().map(Violation::toString).toList());
    };
  }

  private static Result invalid(Order order, List<Violation> violations) {
    String uid = order.orderUid() == null ? "" : order.orderUid();
    return new Result(Tally.Outcome.INVALID, uid,
        violations.stream().map(Violation::toString).toList());
  }
}
