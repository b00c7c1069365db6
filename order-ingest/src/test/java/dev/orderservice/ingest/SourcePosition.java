package dev.orderservice.ingest;

import org.apache.kafka.clients.producer.RecordMetadata;

/** Where a record sits in its topic: what the {@code __connect.errors.*} headers point back to. */
record SourcePosition(String topic, int partition, long offset) {

  static SourcePosition of(RecordMetadata written) {
    return new SourcePosition(written.topic(), written.partition(), written.offset());
  }
}
