package dev.orderservice.server.lifecycle;

import dev.orderservice.ingest.GroupProtocols;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.server.config.ServerConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group protocol the ingest uses ({@code KAFKA_GROUP_PROTOCOL}): as set, or with
 * {@code auto} the consumer protocol where the brokers offer it ({@link GroupProtocols#best}), else
 * classic; the classic one gets {@code KAFKA_SESSION_TIMEOUT}.
 */
public final class GroupProtocolChoice {

  /** How long start-up waits for the brokers to say what they offer before it takes classic. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(GroupProtocolChoice.class);

  private GroupProtocolChoice() {}

  /** Sets the protocol (and the session timeout of the classic one) on {@code ingest}. */
  public static void apply(
      ServerConfig config, String bootstrapServers, OrderIngest.Builder ingest) {
    GroupProtocol protocol =
        switch (config.kafkaGroupProtocol()) {
          case "consumer" -> GroupProtocol.CONSUMER;
          case "classic" -> GroupProtocol.CLASSIC;
          default -> {
            Map<String, Object> client = new HashMap<>(config.kafkaClients().properties());
            client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            GroupProtocol best = GroupProtocols.best(client, ASK_TIMEOUT);
            LOG.info(
                "Kafka: consumer group protocol {} ({})",
                best.name().toLowerCase(java.util.Locale.ROOT),
                best == GroupProtocol.CONSUMER
                    ? "KAFKA_GROUP_PROTOCOL=auto, and the brokers offer KIP-848's"
                    : "KAFKA_GROUP_PROTOCOL=auto, and the brokers offer only the classic one");
            yield best;
          }
        };
    ingest.groupProtocol(protocol);
    if (protocol == GroupProtocol.CLASSIC) {
      ingest.sessionTimeout(config.kafkaSessionTimeout());
    }
  }
}
