package dev.orderservice.ingest;

import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.domain.ValidatedOrders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one poll on their way to a commit: decoded once, then stored, then the rejected
 * ones dead-lettered. Each step runs once; a transient failure leaves the batch at the step that
 * failed, so a retry resumes there and never stores or counts twice. Used by the ingest thread
 * only.
 */
final class Batch {

  private static final String DECODER = OrderCodec.class.getName();
  private static final String VALIDATOR = OrderValidator.class.getName();
  private static final String STORE = "dev.orderservice.domain.OrderStore";

  private final List<ConsumerRecord<byte[], byte[]>> records;
  private final long polledAtNanos;
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private final List<ConsumerRecord<byte[], byte[]>> decodedRecords = new ArrayList<>();
  private final List<Order> decodedOrders = new ArrayList<>();
  private int decodeFailures;
  private ValidatedOrders validated;
  private boolean stored;
  private boolean deadLettered;
  private int inserted;
  private int duplicates;

  Batch(ConsumerRecords<byte[], byte[]> polled, long polledAtNanos) {
    this.records = new ArrayList<>(polled.count());
    polled.forEach(records::add);
    this.polledAtNanos = polledAtNanos;
  }

  /**
   * Decodes and validates every record; those that are not orders become dead letters, the invalid
   * ones when the batch is stored. Needs no I/O.
   */
  void decode(OrderCodec codec, OrderService service) {
    for (ConsumerRecord<byte[], byte[]> record : records) {
      DecodeResult result = codec.decode(record.value());
      if (result instanceof DecodeResult.Decoded decoded) {
        decodedRecords.add(record);
        decodedOrders.add(decoded.order());
      } else {
        String reason = ((DecodeResult.Failed) result).reason();
        deadLetters.add(new DeadLetter(record, RejectionStage.VALUE_CONVERTER, DECODER, reason));
      }
    }
    decodeFailures = deadLetters.size();
    validated = service.validate(decodedOrders);
  }

  boolean isStored() {
    return stored;
  }

  /**
   * Stores every valid order with one {@link OrderService#store} call; invalid and conflicting ones
   * become dead letters. If the store rejects the batch for good (a value the database cannot
   * hold), each order is stored alone so that only the guilty ones are rejected.
   *
   * @throws OrderStoreException if the failure is transient; nothing of the batch was stored
   */
  void store(OrderService service) {
    // A retry after a transient failure starts this step over: forget what the failed try saw.
    deadLetters.subList(decodeFailures, deadLetters.size()).clear();
    inserted = 0;
    duplicates = 0;
    try {
      collect(decodedRecords, service.store(validated));
    } catch (OrderStoreException e) {
      if (e.isTransient()) {
        throw e;
      }
      storeOneByOne(service);
    }
    stored = true;
  }

  private void storeOneByOne(OrderService service) {
    for (int i = 0; i < decodedOrders.size(); i++) {
      ConsumerRecord<byte[], byte[]> record = decodedRecords.get(i);
      try {
        collect(List.of(record), service.acceptAll(List.of(decodedOrders.get(i))));
      } catch (OrderStoreException e) {
        if (e.isTransient()) {
          throw e; // what was stored so far is absorbed as DUPLICATE on the retry
        }
        deadLetters.add(
            new DeadLetter(
                record, RejectionStage.TASK_PUT, e.getClass().getName(), e.getMessage()));
      }
    }
  }

  private void collect(List<ConsumerRecord<byte[], byte[]>> from, List<AcceptResult> results) {
    for (int i = 0; i < results.size(); i++) {
      AcceptResult result = results.get(i);
      switch (result.status()) {
        case INSERTED -> inserted++;
        case DUPLICATE -> duplicates++;
        case INVALID ->
            deadLetters.add(
                new DeadLetter(
                    from.get(i),
                    RejectionStage.TRANSFORMATION,
                    VALIDATOR,
                    String.join(
                        "; ", result.violations().stream().map(Object::toString).toList())));
        case CONFLICT ->
            deadLetters.add(
                new DeadLetter(
                    from.get(i),
                    RejectionStage.TASK_PUT,
                    STORE,
                    "order_uid " + result.orderUid() + " is stored with different content"));
      }
    }
  }

  boolean isDeadLettered() {
    return deadLettered;
  }

  List<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** Whether nothing of the batch is still to be dead-lettered: it was, or there is nothing. */
  boolean hasNoDeadLettersDue() {
    return deadLettered || deadLetters.isEmpty();
  }

  void markDeadLettered() {
    deadLettered = true;
  }

  /** The offsets to commit once the batch is done: one past the last record of each partition. */
  Map<TopicPartition, OffsetAndMetadata> nextOffsets() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      offsets.merge(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return offsets;
  }

  /** Where to read the batch again: its first record of each partition. */
  Map<TopicPartition, OffsetAndMetadata> firstOffsets() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      offsets.merge(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset(), record.leaderEpoch(), ""),
          (a, b) -> a.offset() <= b.offset() ? a : b);
    }
    return offsets;
  }

  /** Whether any record of the batch comes from one of {@code partitions}. */
  boolean touches(Set<TopicPartition> partitions) {
    return records.stream()
        .anyMatch(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
  }

  int size() {
    return records.size();
  }

  int inserted() {
    return inserted;
  }

  int duplicates() {
    return duplicates;
  }

  long polledAtNanos() {
    return polledAtNanos;
  }
}
