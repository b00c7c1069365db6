package dev.orderservice.cli;

import dev.orderservice.cli.OrderFeed.Destination;
import dev.orderservice.cli.OrderFeed.Result;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderChecker;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.ValidatedOrders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The three places {@link OrderFeed} can send documents to, each through the service's rules: its
 * use case where orders are stored, its checker where they are only read and checked.
 */
final class Destinations {

  private Destinations() {}

  /** Into the database through the service's use case: read, validated, stored idempotently. */
  static Destination store(OrderService service) {
    return batch -> service.acceptDocuments(batch).stream().map(Result::of).toList();
  }

  /**
   * To a topic: documents the service would reject are counted and not sent; valid orders are sent
   * as canonical JSON keyed by their uid, and the batch returns once the broker has acknowledged
   * all of them.
   */
  static Destination topic(Producer<byte[], byte[]> producer, String topic, OrderChecker checker) {
    return batch -> {
      ValidatedOrders checked = checker.check(batch);
      List<Result> results = new ArrayList<>(batch.size());
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (int i = 0; i < checked.size(); i++) {
        Optional<EncodedOrder> valid = checked.validAt(i);
        if (valid.isEmpty()) {
          results.add(Result.of(checked.rejectedAt(i).orElseThrow()));
          continue;
        }
        records.add(KafkaClients.record(topic, valid.get().orderUid(), valid.get().json()));
        results.add(Result.of(Tally.Outcome.PUBLISHED, valid.get().orderUid()));
      }
      KafkaClients.sendAll(producer, records);
      return results;
    };
  }

  /** Nowhere: read and validate only (a dry run, {@code validate}). */
  static Destination checkOnly(OrderChecker checker) {
    return batch -> {
      ValidatedOrders checked = checker.check(batch);
      List<Result> results = new ArrayList<>(batch.size());
      for (int i = 0; i < checked.size(); i++) {
        Optional<EncodedOrder> valid = checked.validAt(i);
        results.add(
            valid.isPresent()
                ? Result.of(Tally.Outcome.VALID, valid.get().orderUid())
                : Result.of(checked.rejectedAt(i).orElseThrow()));
      }
      return results;
    };
  }
}
