package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends rejected records to the dead-letter topic and waits until the broker has acknowledged every
 * one, so the source offsets can be committed after. Adds Kafka Connect's {@code
 * __connect.errors.*} headers to the original ones. Used by the ingest thread only.
 */
final class DeadLetterPublisher {

  static final String PREFIX = "__connect.errors.";
  static final String TOPIC = PREFIX + "topic";
  static final String PARTITION = PREFIX + "partition";
  static final String OFFSET = PREFIX + "offset";
  static final String STAGE = PREFIX + "stage";
  static final String EXCEPTION_CLASS = PREFIX + "exception.class.name";
  static final String EXCEPTION_MESSAGE = PREFIX + "exception.message";

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Duration ackTimeout;

  DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, Duration ackTimeout) {
    this.producer = producer;
    this.topic = topic;
    this.ackTimeout = ackTimeout;
  }

  /**
   * Publishes every letter and waits for the acknowledgements.
   *
   * @throws DeadLetterException if any was not acknowledged in time; some may have been written, so
   *     a retry can publish a letter twice (at least once, as everywhere else)
   */
  void publish(List<DeadLetter> letters) {
    if (letters.isEmpty()) {
      return;
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>(letters.size());
    try {
      for (DeadLetter letter : letters) {
        acks.add(producer.send(toRecord(letter)));
      }
      producer.flush();
      long deadline = System.nanoTime() + ackTimeout.toNanos();
      for (Future<RecordMetadata> ack : acks) {
        ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      throw new DeadLetterException(
          "the dead-letter topic " + topic + " refused a record", e.getCause());
    } catch (TimeoutException e) {
      throw new DeadLetterException(
          "the dead-letter topic " + topic + " did not acknowledge within " + ackTimeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeadLetterException("interrupted while publishing dead letters", e);
    } catch (RuntimeException e) { // KafkaException from send(): buffer full, broker gone
      throw new DeadLetterException("cannot publish to the dead-letter topic " + topic, e);
    }
  }

  private ProducerRecord<byte[], byte[]> toRecord(DeadLetter letter) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : letter.source().headers()) {
      headers.add(header);
    }
    headers.add(TOPIC, utf8(letter.source().topic()));
    headers.add(PARTITION, utf8(Integer.toString(letter.source().partition())));
    headers.add(OFFSET, utf8(Long.toString(letter.source().offset())));
    headers.add(STAGE, utf8(letter.stage().name()));
    headers.add(EXCEPTION_CLASS, utf8(letter.errorClass()));
    headers.add(EXCEPTION_MESSAGE, utf8(letter.reason()));
    return new ProducerRecord<>(
        topic,
        null,
        letter.source().timestamp(),
        letter.source().key(),
        letter.source().value(),
        headers);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  /** Publishing failed; retrying later may succeed. */
  static final class DeadLetterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeadLetterException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
