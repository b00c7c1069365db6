package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.testsupport.TestBroker;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** A record of the dead-letter topic, read back with its {@code __connect.errors.*} headers. */
record DeadLetterCopy(ConsumerRecord<byte[], byte[]> record) {

  private static final List<String> CONNECT_HEADERS =
      List.of(
          DeadLetterPublisher.TOPIC,
          DeadLetterPublisher.PARTITION,
          DeadLetterPublisher.OFFSET,
          DeadLetterPublisher.STAGE,
          DeadLetterPublisher.EXCEPTION_CLASS,
          DeadLetterPublisher.EXCEPTION_MESSAGE);

  static List<DeadLetterCopy> readAll(String deadLetterTopic) {
    return TestBroker.readAll(deadLetterTopic).stream().map(DeadLetterCopy::new).toList();
  }

  /** The record this is a copy of, as the headers say. */
  SourcePosition source() {
    return new SourcePosition(
        header(DeadLetterPublisher.TOPIC),
        Integer.parseInt(header(DeadLetterPublisher.PARTITION)),
        Long.parseLong(header(DeadLetterPublisher.OFFSET)));
  }

  RejectionStage stage() {
    return RejectionStage.valueOf(header(DeadLetterPublisher.STAGE));
  }

  String exceptionMessage() {
    return header(DeadLetterPublisher.EXCEPTION_MESSAGE);
  }

  /**
   * Asserts this is a faithful copy of {@code bad}: the same key, value, timestamp and headers,
   * then Connect's headers naming the stage, what rejected it and why, without its personal data.
   */
  void assertCopies(MixedStream.BadRecord bad) {
    String what = bad.defect() + " record " + source();
    assertThat(record.key()).as("key of %s", what).isEqualTo(bad.record().key());
    assertThat(record.value()).as("value of %s", what).isEqualTo(bad.record().value());
    assertThat(record.timestamp()).as("timestamp of %s", what).isEqualTo(bad.record().timestamp());
    List<String> original = describe(bad.record().headers());
    List<String> copied = describe(record.headers());
    assertThat(copied.subList(0, Math.min(original.size(), copied.size())))
        .as("original headers of %s, first and unchanged", what)
        .isEqualTo(original);
    assertThat(copied.subList(original.size(), copied.size()))
        .as("headers the dead-letter copy of %s adds", what)
        .extracting(h -> h.substring(0, h.indexOf('=')))
        .isEqualTo(CONNECT_HEADERS);
    assertThat(stage()).as("stage of %s", what).isEqualTo(bad.defect().stage);
    assertThat(header(DeadLetterPublisher.EXCEPTION_CLASS))
        .as("exception class of %s", what)
        .isEqualTo(
            switch (bad.defect().stage) {
              case VALUE_CONVERTER -> OrderCodec.class.getName();
              case TRANSFORMATION -> OrderValidator.class.getName();
              case TASK_PUT -> "dev.orderservice.domain.OrderStore";
            });
    assertThat(exceptionMessage()).as("exception message of %s", what).contains(bad.messagePart());
    for (String personal : bad.personalData()) {
      assertThat(exceptionMessage()).as("exception message of %s", what).doesNotContain(personal);
    }
  }

  private String header(String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header)
        .as("header %s of the dead letter at offset %d", name, record.offset())
        .isNotNull();
    return new String(header.value(), UTF_8);
  }

  private static List<String> describe(Headers headers) {
    return StreamSupport.stream(headers.spliterator(), false)
        .map(
            h -> h.key() + "=" + (h.value() == null ? "null" : HexFormat.of().formatHex(h.value())))
        .toList();
  }
}
