package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.TestTopics;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;

/**
 * What the failover and restore tests assert once the ingest has run on a database that lost
 * transactions: the loss the group's offsets alone would have meant, and that nothing was lost.
 */
final class RecoveredIngest {

  private RecoveredIngest() {}

  /**
   * @param lacking who lacked the orders, as the assertion says it ("the standby")
   * @param lostWithoutPositions orders it lacked although the group's committed offsets were past
   */
  static void assertNothingLost(
      String lacking,
      long lostWithoutPositions,
      OrderIngest ingest,
      MixedStream stream,
      PostgresOrderStore store,
      TestTopics names,
      Set<SourcePosition> badPositions) {
    assertThat(lostWithoutPositions)
        .as(
            "orders "
                + lacking
                + " lacked although the group's committed offsets were past them: resuming from"
                + " those offsets alone would have lost them for good")
        .isPositive();
    assertThat(store.count()).isEqualTo(4_000);
    assertThat(ingest.metrics().recordsReadAgain())
        .as("records read again cover the orders the database lacked")
        .isGreaterThanOrEqualTo(lostWithoutPositions);
    assertThat(StoredOrders.wrong(stream, store))
        .as("every valid order stored as produced; the first of two records of a uid wins")
        .isEmpty();
    assertThat(
            DeadLetterCopy.readAll(names.deadLetterTopic()).stream()
                .map(DeadLetterCopy::source)
                .collect(Collectors.toSet()))
        .as("every bad record dead-lettered, and only those")
        .isEqualTo(badPositions);
  }

  static boolean hasOneStableMember(String group) {
    ConsumerGroupDescription description = TestBroker.describeGroup(group);
    return description.groupState() == GroupState.STABLE && description.members().size() == 1;
  }
}
