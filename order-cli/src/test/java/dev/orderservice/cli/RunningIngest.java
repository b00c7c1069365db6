package dev.orderservice.cli;

import dev.orderservice.domain.OrderChecker;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.ingest.OrderIngest;
import java.time.Duration;

/** An {@link OrderIngest} over a test topic and database, on a thread of its own until closed. */
final class RunningIngest implements AutoCloseable {

  private final OrderIngest ingest;
  private final Thread thread;

  RunningIngest(String topic, String deadLetterTopic, String group, TestDatabase db,
      OrderCodec codec) {
    ingest = OrderIngest.builder()
        .bootstrapServers(TestKafka.servers())
        .topic(topic)
        .deadLetterTopic(deadLetterTopic)
        .groupId(group)
        .service(OrderService.withoutCache(
            db.store(), new OrderChecker(new OrderValidator(), codec)))
        .maxBatchSize(500)
        .pollTimeout(Duration.ofMillis(100))
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
        .closeTimeout(Duration.ofSeconds(20))
        .build();
    thread = new Thread(ingest, "test-ingest-" + topic);
    thread.start();
  }

  @Override
  public void close() throws InterruptedException {
    ingest.close();
    thread.join(Duration.ofSeconds(30).toMillis());
  }
}
