package dev.orderservice.testsupport;

/**
 * The names one test uses, none shared with another test: the order topic, its dead-letter topic
 * ({@code <topic>.dlq}, as the service names it) and the consumer group ({@code <topic>-group}).
 * Immutable.
 */
public record TestTopics(String topic, String deadLetterTopic, String group) {

  /**
   * New topics on the shared broker: the order topic with {@code partitions} partitions, the
   * dead-letter topic with one. Blocks until both exist.
   */
  public static TestTopics create(String prefix, int partitions) {
    String topic = UniqueNames.withPrefix(prefix);
    TestTopics names = new TestTopics(topic, topic + ".dlq", topic + "-group");
    TestBroker.createTopic(names.topic, partitions);
    TestBroker.createTopic(names.deadLetterTopic, 1);
    return names;
  }

  /** Whether the group has committed the end of every partition of the order topic. */
  public boolean allCommitted() {
    return TestBroker.hasCommittedTheEnd(group, topic);
  }
}
