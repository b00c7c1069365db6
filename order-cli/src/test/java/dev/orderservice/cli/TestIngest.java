package dev.orderservice.cli;

import dev.orderservice.domain.OrderChecker;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.testsupport.TestBroker;
import java.time.Duration;

/** The ingest the server would run, as the tests build it to see what the CLI's records become. */
final class TestIngest {

  private TestIngest() {}

  /**
   * An ingest of {@code topic} into {@code db}, decoding with {@code codec}, with the quick
   * settings tests use: batches of 500, short waits. Run it with {@code RunningTasks}.
   */
  static OrderIngest into(
      TestDatabase db, String topic, String deadLetterTopic, String group, OrderCodec codec) {
    return OrderIngest.builder()
        .bootstrapServers(TestBroker.bootstrapServers())
        .topic(topic)
        .deadLetterTopic(deadLetterTopic)
        .groupId(group)
        .service(
            OrderService.withoutCache(db.store(), new OrderChecker(new OrderValidator(), codec)))
        .maxBatchSize(500)
        .pollTimeout(Duration.ofMillis(100))
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
        .closeTimeout(Duration.ofSeconds(20))
        .build();
  }
}
