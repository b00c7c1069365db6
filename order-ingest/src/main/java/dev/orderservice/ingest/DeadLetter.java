package dev.orderservice.ingest;

import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderValidator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * A record the pipeline rejected for good, with why.
 *
 * @param source the record as consumed: its key, value, headers and timestamp go to the dead-letter
 *     topic unchanged
 * @param errorClass what rejected it (a class name, Kafka Connect's {@code exception.class.name})
 * @param reason why, without field values (no personal data)
 */
record DeadLetter(
    ConsumerRecord<byte[], byte[]> source, RejectionStage stage, String errorClass, String reason) {

  private static final String DECODER = OrderCodec.class.getName();
  private static final String VALIDATOR = OrderValidator.class.getName();
  private static final String STORE = "dev.orderservice.domain.OrderStore";

  /** The dead letter of a record the service did not store, at the stage that rejected it. */
  static DeadLetter of(ConsumerRecord<byte[], byte[]> record, AcceptResult result) {
    return switch (result.status()) {
      case UNREADABLE ->
          new DeadLetter(record, RejectionStage.VALUE_CONVERTER, DECODER, result.describe());
      case INVALID ->
          new DeadLetter(record, RejectionStage.TRANSFORMATION, VALIDATOR, result.describe());
      case CONFLICT -> new DeadLetter(record, RejectionStage.TASK_PUT, STORE, result.describe());
      default -> throw new IllegalArgumentException(result.status() + " is not a rejection");
    };
  }

  /** {@code topic-partition@offset}, for log lines. */
  String where() {
    return source.topic() + "-" + source.partition() + "@" + source.offset();
  }

  /** Says at info that the record was rejected, with its topic, partition and offset in the MDC. */
  void log(Logger log) {
    try (MDC.MDCCloseable topicKey = MDC.putCloseable("topic", source.topic());
        MDC.MDCCloseable partitionKey =
            MDC.putCloseable("partition", Integer.toString(source.partition()));
        MDC.MDCCloseable offsetKey = MDC.putCloseable("offset", Long.toString(source.offset()))) {
      log.info("rejected {} at {}: {}", where(), stage(), reason());
    }
  }
}
