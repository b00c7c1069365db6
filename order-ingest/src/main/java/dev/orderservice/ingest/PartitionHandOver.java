package dev.orderservice.ingest;

import java.util.Collection;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ingest does when its group moves partitions: logs and counts the rebalance, and has the
 * pipeline hand over what it holds of the partitions that go ({@link IngestPipeline#handOver}) and
 * start small on those that come ({@link IngestPipeline#assigned}), which start where the
 * database's positions say ({@link PositionKeeper#assigned}). Runs on the ingest thread, inside
 * {@code poll()}.
 */
final class PartitionHandOver implements ConsumerRebalanceListener {

  // The component's logger, not this class's: operators set one logger's level for the ingest.
  private static final Logger LOG = LoggerFactory.getLogger(OrderIngest.class);

  private final IngestPipeline pipeline;
  private final PositionKeeper positions;
  private final IngestCounters counters;
  private final BooleanSupplier closing;

  /**
   * @param closing whether the ingest is closing: its partitions are revoked then too, which is no
   *     rebalance
   */
  PartitionHandOver(
      IngestPipeline pipeline,
      PositionKeeper positions,
      IngestCounters counters,
      BooleanSupplier closing) {
    this.pipeline = pipeline;
    this.positions = positions;
    this.counters = counters;
    this.closing = closing;
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    if (!closing.getAsBoolean()) {
      counters.rebalances.incrementAndGet(); // a clean close revokes too; that is no rebalance
    }
    LOG.info("partitions revoked: {}", partitions);
    pipeline.handOver(Set.copyOf(partitions), true);
    positions.revoked(partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    counters.rebalances.incrementAndGet();
    LOG.warn("partitions lost: {}", partitions);
    pipeline.handOver(Set.copyOf(partitions), false);
    positions.revoked(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    LOG.info("partitions assigned: {}", partitions);
    positions.assigned(partitions);
    pipeline.assigned(partitions);
  }
}
