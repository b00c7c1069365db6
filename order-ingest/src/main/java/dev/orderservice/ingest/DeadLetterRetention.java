package dev.orderservice.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter topic holds personal data too (a rejected order is still a person's order), so
 * the ingest creates it, when it is missing, with a {@code retention.ms} of its own rather than
 * leaving it to the broker's auto-creation and default (7 days, or whatever the cluster says).
 * Partitions and replication are the broker's defaults. A topic that exists is left as it is: it
 * belongs to its operator; a longer retention than asked is logged as a warning saying how to
 * change it. Nothing here stops the ingest: a broker that refuses (no ACL to create topics, a
 * create policy) or does not answer in time is logged, and the ingest goes on.
 */
final class DeadLetterRetention {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRetention.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private DeadLetterRetention() {}

  /**
   * Creates {@code topic} with {@code retention} unless it exists; warns if it exists and keeps
   * records longer.
   *
   * @param clientConfig the producer's configuration (servers, security); the admin client's
   *     settings are taken from it
   */
  static void ensure(Map<String, Object> clientConfig, String topic, Duration retention) {
    Admin admin = Admin.create(adminConfig(clientConfig));
    try {
      Optional<Long> kept = retentionOf(admin, topic);
      if (kept.isEmpty()) {
        create(admin, topic, retention);
      } else if (kept.get() < 0 || kept.get() > retention.toMillis()) {
        LOG.warn(
            "dead-letter topic {} exists and keeps records {}; KAFKA_DLQ_RETENTION asks for {}."
                + " Rejected records hold personal data: shorten it with kafka-configs.sh"
                + " --alter --entity-type topics --entity-name {} --add-config retention.ms={}",
            topic,
            kept.get() < 0 ? "forever" : "for " + Duration.ofMillis(kept.get()),
            retention,
            topic,
            retention.toMillis());
      } else {
        LOG.info("dead-letter topic {} keeps records for {}", topic, Duration.ofMillis(kept.get()));
      }
    } catch (ExecutionException e) {
      LOG.warn(
          "could not check or create dead-letter topic {} ({}); rejected records go to it as the"
              + " broker allows",
          topic,
          e.getCause().toString());
    } catch (TimeoutException e) {
      LOG.warn("Kafka did not answer about dead-letter topic {} within {}", topic, TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("could not check dead-letter topic {}: {}", topic, e.toString());
    } finally {
      // Not the default close, which waits for calls in flight up to a minute.
      admin.close(Duration.ZERO);
    }
  }

  /** The topic's retention.ms; empty if the topic does not exist. */
  private static Optional<Long> retentionOf(Admin admin, String topic)
      throws ExecutionException, InterruptedException, TimeoutException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      Config config =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(resource);
      ConfigEntry entry = config.get(TopicConfig.RETENTION_MS_CONFIG);
      return Optional.of(entry == null ? -1 : Long.parseLong(entry.value()));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static void create(Admin admin, String topic, Duration retention)
      throws ExecutionException, InterruptedException, TimeoutException {
    NewTopic newTopic =
        new NewTopic(topic, Optional.empty(), Optional.empty())
            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis())));
    try {
      admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("created dead-letter topic {}, keeping records for {}", topic, retention);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /** The settings an admin client knows, of a producer's configuration. */
  private static Map<String, Object> adminConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>();
    clientConfig.forEach(
        (name, value) -> {
          if (AdminClientConfig.configNames().contains(name)) {
            config.put(name, value);
          }
        });
    config.remove(AdminClientConfig.CLIENT_ID_CONFIG);
    return config;
  }
}
