package dev.orderservice.ingest;

import dev.orderservice.domain.IngestPositions;
import dev.orderservice.domain.OrderService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.GroupProtocol;

/**
 * What an {@link OrderIngest} was built with: copied from its builder, which validated each setting
 * (with the checks below), so that the builder may be changed and used again after {@code build()}.
 * Immutable.
 *
 * @param deadLetterTopic the one set, or the topic's default
 * @param storeExecutor the caller's executor for stores; empty for threads of the ingest's own
 * @param listener who hears that Kafka refuses the clients, and accepts them again
 * @param afterStore a test hook run after each batch is stored
 * @param positions where the database records how far it has stored; empty for none
 * @param positionCheckInterval how often the database's positions are compared with the ingest's
 * @param deadLetterRetention the retention of a dead-letter topic the ingest creates; none: it
 *     creates none
 * @param tracing the spans of the batches, through the caller's OpenTelemetry; off without one
 */
record IngestSettings(
    String topic,
    String deadLetterTopic,
    OrderService service,
    IngestClientSettings clients,
    int maxBatchSize,
    int storeConnections,
    Duration pollTimeout,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration ackTimeout,
    Duration closeTimeout,
    Optional<MeterRegistry> meterRegistry,
    Optional<Executor> storeExecutor,
    IngestListener listener,
    Runnable afterStore,
    Optional<IngestPositions> positions,
    Duration positionCheckInterval,
    Optional<Duration> deadLetterRetention,
    IngestTracing tracing) {

  /**
   * The settings of {@code b} as they are now.
   *
   * @throws IllegalArgumentException if neither the builder nor the consumer properties name the
   *     bootstrap servers
   */
  static IngestSettings of(OrderIngest.Builder b) {
    return new IngestSettings(
        b.topic,
        b.deadLetterTopic != null ? b.deadLetterTopic : OrderIngest.defaultDeadLetterTopic(b.topic),
        b.service,
        new IngestClientSettings(
            b.bootstrapServers,
            b.consumerProperties,
            b.producerProperties,
            b.groupId,
            b.groupInstanceId,
            b.sessionTimeout,
            b.groupProtocol,
            b.maxBatchSize,
            b.ackTimeout),
        b.maxBatchSize,
        b.storeConnections,
        b.pollTimeout,
        b.initialBackoff,
        b.maxBackoff,
        b.ackTimeout,
        b.closeTimeout,
        Optional.ofNullable(b.meterRegistry),
        Optional.ofNullable(b.storeExecutor),
        b.listener,
        b.afterStore,
        Optional.ofNullable(b.positions),
        b.positionCheckInterval,
        Optional.ofNullable(b.deadLetterRetention),
        IngestTracing.of(
            b.openTelemetry,
            b.topic,
            b.groupId,
            b.deadLetterTopic != null
                ? b.deadLetterTopic
                : OrderIngest.defaultDeadLetterTopic(b.topic)));
  }

  /**
   * The builder's checks of settings that must go together: a service; no session timeout with the
   * consumer group protocol (the broker's); a dead-letter topic other than the topic; a group name
   * the positions' table holds.
   */
  static void checkTogether(OrderIngest.Builder b) {
    require(b.service != null, "service is required");
    require(
        b.groupProtocol != GroupProtocol.CONSUMER || b.sessionTimeout == null,
        "sessionTimeout is the broker's with the consumer group protocol"
            + " (group.consumer.session.timeout.ms): leave it unset");
    require(
        !b.topic.equals(b.deadLetterTopic),
        "deadLetterTopic must differ from topic, or rejected records would be read again");
    require(
        b.positions == null || b.groupId.length() <= OrderIngest.MAX_GROUP_LENGTH_WITH_POSITIONS,
        "groupId must be at most "
            + OrderIngest.MAX_GROUP_LENGTH_WITH_POSITIONS
            + " characters to record positions");
  }

  /** The builder's check of a text setting: not null, not blank. */
  static String requireText(String value, String name) {
    require(value != null && !value.isBlank(), name + " must not be blank");
    return value;
  }

  /** The builder's check of a duration setting: more than zero. */
  static Duration positive(Duration value, String name) {
    require(value != null && !value.isNegative() && !value.isZero(), name + " must be > 0");
    return value;
  }

  /**
   * @throws IllegalArgumentException with {@code message} unless {@code condition} holds
   */
  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
