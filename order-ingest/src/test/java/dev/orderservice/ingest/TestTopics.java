package dev.orderservice.ingest;

import dev.orderservice.domain.OrderService;
import java.time.Duration;

/**
 * The names one test uses, none shared with another test: the order topic (created with the given
 * partitions), its dead-letter topic (one partition) and the consumer group.
 */
record TestTopics(String topic, String deadLetterTopic, String group) {

  static TestTopics create(String prefix, int partitions) {
    String topic = TestBroker.uniqueName(prefix);
    TestTopics names = new TestTopics(topic, topic + ".dlq", topic + "-group");
    TestBroker.createTopic(names.topic, partitions);
    TestBroker.createTopic(names.deadLetterTopic, 1);
    return names;
  }

  /** An ingest of these topics with the quick settings tests use: batches of 500, short waits. */
  OrderIngest.Builder ingest(OrderService service) {
    return OrderIngest.builder()
        .bootstrapServers(TestBroker.bootstrapServers())
        .topic(topic)
        .deadLetterTopic(deadLetterTopic)
        .groupId(group)
        .service(service)
        .maxBatchSize(500)
        .pollTimeout(Duration.ofMillis(100))
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
        .closeTimeout(Duration.ofSeconds(20));
  }

  /** Whether the group has committed the end of every partition of the order topic. */
  boolean allCommitted() {
    return TestBroker.hasCommittedTheEnd(group, topic);
  }
}
