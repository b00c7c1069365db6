package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A record whose strings are not all Unicode text (I-JSON, RFC 7493) is refused when decoded, so it
 * is dead-lettered at the value converter with the path of the string, never stored.
 */
class NotUnicodeTextTest {

  private static final OrderCodec CODEC = OrderCodec.standard();

  private final RunningTasks running = new RunningTasks();
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("unicode");
  }

  @AfterEach
  void stopAndDrop() throws InterruptedException {
    running.close();
    schema.close();
  }

  @Test
  void aLoneSurrogateEscapedOrAsBytesIsDeadLetteredAtTheValueConverter() {
    RandomOrders random = new RandomOrders(20_261_206L);
    Order valid = random.next();
    Order escaped = random.next();
    Order raw = random.next();
    byte[] withEscape = withName(escaped, "Zebulon\\ud800Quux").getBytes(UTF_8);
    byte[] withBytes = surrogateBytesForNul(withName(raw, "Zebulon\u0000Quux").getBytes(UTF_8));
    TestTopics names = TestTopics.create("unicode", 1);
    TestBroker.produce(
        List.of(
            record(names, valid, CODEC.encode(valid)),
            record(names, escaped, withEscape),
            record(names, raw, withBytes)));

    running.start(
        TestIngest.builder(names, new OrderService(schema.store(), new MapOrderCache())).build());
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(names::allCommitted);

    assertThat(schema.store().findJson(valid.orderUid())).hasValue(CODEC.encode(valid));
    assertThat(schema.store().findJson(escaped.orderUid())).isEmpty();
    assertThat(schema.store().findJson(raw.orderUid())).isEmpty();
    List<DeadLetterCopy> deadLetters = DeadLetterCopy.readAll(names.deadLetterTopic());
    assertThat(deadLetters)
        .extracting(d -> d.record().value())
        .containsExactly(withEscape, withBytes);
    assertThat(deadLetters)
        .extracting(DeadLetterCopy::stage)
        .containsOnly(RejectionStage.VALUE_CONVERTER);
    assertThat(deadLetters.get(0).exceptionMessage())
        .endsWith("delivery.name: is not Unicode text (a lone surrogate)");
    assertThat(deadLetters.get(1).exceptionMessage())
        .endsWith("delivery.name: is not Unicode text (invalid UTF-8)");
    assertThat(deadLetters)
        .extracting(DeadLetterCopy::exceptionMessage)
        .noneMatch(m -> m.contains("Zebulon") || m.contains("Quux"));
  }

  /** The canonical JSON of {@code order}, its delivery's name replaced by {@code name}. */
  private static String withName(Order order, String name) {
    return new String(CODEC.encode(order), UTF_8).replace(order.delivery().name(), name);
  }

  private static ProducerRecord<byte[], byte[]> record(
      TestTopics names, Order order, byte[] value) {
    return new ProducerRecord<>(names.topic(), order.orderUid().getBytes(UTF_8), value);
  }

  /** {@code json} with each NUL replaced by a surrogate's bytes (CESU-8), which UTF-8 has not. */
  private static byte[] surrogateBytesForNul(byte[] json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : json) {
      if (b == 0) {
        out.writeBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }
}
