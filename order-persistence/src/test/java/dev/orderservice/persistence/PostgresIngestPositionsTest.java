package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresIngestPositionsTest {

  private TestSchema schema;
  private PostgresIngestPositions positions;

  @BeforeEach
  void createSchema() {
    schema = TestSchema.migrated("positions");
    positions = new PostgresIngestPositions(schema.dataSource());
  }

  @AfterEach
  void dropSchema() {
    schema.close();
  }

  @Test
  void aGroupReadsBackThePositionsItRecordedAndNoneForPartitionsItDidNotRecord() {
    positions.record("service", "orders", Map.of(0, 120L, 2, 7L));

    assertThat(positions.read("service", "orders", List.of(0, 1, 2)))
        .isEqualTo(Map.of(0, 120L, 2, 7L));
    assertThat(positions.read("service", "orders", List.of(1))).isEmpty();
    assertThat(positions.read("service", "other-topic", List.of(0, 1, 2))).isEmpty();
    assertThat(positions.read("other-group", "orders", List.of(0, 1, 2))).isEmpty();
    assertThat(positions.read("service", "orders", List.of())).isEmpty();
  }

  @Test
  void recordingAgainReplacesThePositionEvenWithAnEarlierOneAndTouchesOnlyItsPartitions() {
    positions.record("service", "orders", Map.of(0, 100L, 1, 50L));
    positions.record("service", "orders", Map.of(0, 250L));
    assertThat(positions.read("service", "orders", List.of(0, 1)))
        .isEqualTo(Map.of(0, 250L, 1, 50L));

    // After a seek back (the database was behind) the next batch records an earlier offset.
    positions.record("service", "orders", Map.of(0, 180L));
    assertThat(positions.read("service", "orders", List.of(0))).isEqualTo(Map.of(0, 180L));
    assertThat(schema.rows("ingest_positions")).isEqualTo(2);
  }

  @Test
  void anyGroupsPositionIsTheFurthestAnyGroupRecordedForThatTopicAndPartition() {
    positions.record("old-name", "orders", Map.of(0, 300L, 1, 40L));
    positions.record("new-name", "orders", Map.of(0, 200L));
    positions.record("old-name", "other-topic", Map.of(2, 999L));

    assertThat(positions.readAnyGroup("orders", List.of(0, 1, 2)))
        .isEqualTo(Map.of(0, 300L, 1, 40L));
    assertThat(positions.readAnyGroup("orders", List.of())).isEmpty();
  }

  @Test
  void recordingIfHeldWritesOnlyWhileTheDatabaseHoldsAtLeastWhatWasRecordedBefore() {
    positions.record("service", "orders", Map.of(0, 100L, 1, 50L));

    assertThat(
            positions.recordIfHeld("service", "orders", Map.of(0, 100L), Map.of(0, 200L, 1, 60L)))
        .isTrue();
    assertThat(positions.read("service", "orders", List.of(0, 1)))
        .isEqualTo(Map.of(0, 200L, 1, 60L));

    // The database lost the last record of partition 0 (it holds 200, this ingest recorded 250).
    assertThat(
            positions.recordIfHeld("service", "orders", Map.of(0, 250L), Map.of(0, 300L, 1, 70L)))
        .isFalse();
    // A partition it holds nothing of at all is behind too.
    assertThat(positions.recordIfHeld("service", "orders", Map.of(2, 10L), Map.of(2, 20L)))
        .isFalse();
    assertThat(positions.read("service", "orders", List.of(0, 1, 2)))
        .as("nothing written")
        .isEqualTo(Map.of(0, 200L, 1, 60L));
    // Nothing to compare: recorded as by record().
    assertThat(positions.recordIfHeld("service", "orders", Map.of(), Map.of(2, 20L))).isTrue();
    assertThat(positions.read("service", "orders", List.of(2))).isEqualTo(Map.of(2, 20L));
  }

  @Test
  void eachRecordIsOneStatementThatStampsTheRowsWithTheTimeOfTheWrite() {
    positions.record("service", "orders", Map.of(0, 1L, 1, 2L, 2, 3L));

    assertThat(schema.rows("ingest_positions where updated_at > now() - interval '1 minute'"))
        .isEqualTo(3);
  }
}
