package dev.orderservice.ingest;

import dev.orderservice.domain.OrderService;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.time.Duration;

/** Ingests as the tests build them. */
final class TestIngest {

  private TestIngest() {}

  /**
   * An ingest of {@code names}' topics and group with the quick settings tests use: batches of 500,
   * short waits.
   */
  static OrderIngest.Builder builder(TestTopics names, OrderService service) {
    return OrderIngest.builder()
        .bootstrapServers(TestBroker.bootstrapServers())
        .topic(names.topic())
        .deadLetterTopic(names.deadLetterTopic())
        .groupId(names.group())
        .service(service)
        .maxBatchSize(500)
        .pollTimeout(Duration.ofMillis(100))
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
        .closeTimeout(Duration.ofSeconds(20));
  }
}
