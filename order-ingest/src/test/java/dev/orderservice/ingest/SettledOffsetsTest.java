package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The offsets of settled batches: held, merged, flushed together, or dropped to read again. */
class SettledOffsetsTest {

  private static final TopicPartition P0 = new TopicPartition("orders", 0);
  private static final TopicPartition P1 = new TopicPartition("orders", 1);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final IngestCounters counters = new IngestCounters();
  private SettledOffsets settled;

  @BeforeEach
  void assign() {
    consumer.assign(List.of(P0, P1));
    PositionKeeper noPositions =
        new PositionKeeper(null, consumer, "group", "orders", counters, Duration.ofSeconds(30));
    settled = new SettledOffsets(consumer, noPositions, counters, IngestTracing.OFF);
  }

  @Test
  void batchesAreCommittedTogetherAtTheirLatestOffsets() {
    settled.add(batch(P0, 0, 10));
    settled.add(batch(P0, 10, 5));
    settled.add(batch(P1, 0, 3));
    assertThat(settled.isDue()).as("just settled").isFalse();

    settled.flush(true);

    assertThat(consumer.committed(Set.of(P0, P1)))
        .containsEntry(P0, new OffsetAndMetadata(15))
        .containsEntry(P1, new OffsetAndMetadata(3));
    assertThat(settled.isEmpty()).isTrue();
  }

  @Test
  void aBatchIsDueOnceTheOldestHasWaitedTheInterval() throws InterruptedException {
    settled.add(batch(P0, 0, 1));
    long deadline = System.nanoTime() + SettledOffsets.INTERVAL.toNanos() * 20;
    while (!settled.isDue() && System.nanoTime() < deadline) {
      Thread.sleep(5); // polling the clock until the interval has passed
    }
    assertThat(settled.isDue()).isTrue();
  }

  @Test
  void droppedBatchesAreReadAgainFromTheFirstOffsetOfEachPartition() {
    settled.add(batch(P0, 20, 10));
    settled.add(batch(P0, 30, 10));
    settled.add(batch(P1, 7, 2));

    Map<TopicPartition, OffsetAndMetadata> readAgain = settled.dropToReadAgain();

    assertThat(readAgain.get(P0).offset()).isEqualTo(20);
    assertThat(readAgain.get(P1).offset()).isEqualTo(7);
    assertThat(settled.isEmpty()).isTrue();
    settled.flush(true);
    assertThat(consumer.committed(Set.of(P0, P1))).isEmpty();
  }

  @Test
  void lostPartitionsAreForgottenAndTheOthersStillCommitted() {
    settled.add(batch(P0, 0, 4));
    settled.add(batch(P1, 0, 6));

    settled.forget(Set.of(P0));
    settled.flush(true);

    assertThat(consumer.committed(Set.of(P0, P1)))
        .doesNotContainKey(P0)
        .containsEntry(P1, new OffsetAndMetadata(6));
    assertThat(counters.recordsConsumed.get()).as("only the kept partition's batch").isEqualTo(6);
  }

  @Test
  void aBatchSpanningALostPartitionIsNotCountedButItsKeptPartitionIsCommitted() {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(new ConsumerRecord<>("orders", 0, 0, null, null));
    records.add(new ConsumerRecord<>("orders", 1, 0, null, null));
    settled.add(new Batch(records, System.nanoTime(), BatchTrace.OFF));

    settled.forget(Set.of(P0));
    assertThat(settled.isEmpty()).isFalse();
    settled.flush(true);

    assertThat(consumer.committed(Set.of(P0, P1)))
        .doesNotContainKey(P0)
        .containsEntry(P1, new OffsetAndMetadata(1));
    assertThat(counters.recordsConsumed.get()).isZero();
  }

  private static Batch batch(TopicPartition partition, long from, int count) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(
          new ConsumerRecord<>(partition.topic(), partition.partition(), from + i, null, null));
    }
    return new Batch(records, System.nanoTime(), BatchTrace.OFF);
  }
}
