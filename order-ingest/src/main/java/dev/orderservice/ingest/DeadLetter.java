package dev.orderservice.ingest;

import org.apache.kafka.clients.consumer.ConsumerRecord;

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

  /** {@code topic-partition@offset}, for log lines. */
  String where() {
    return source.topic() + "-" + source.partition() + "@" + source.offset();
  }
}
