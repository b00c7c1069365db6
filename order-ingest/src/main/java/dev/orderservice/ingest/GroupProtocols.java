package dev.orderservice.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which consumer group protocol a cluster offers. Kafka 4's protocol (KIP-848, {@link
 * GroupProtocol#CONSUMER}) hands partitions over incrementally, on the broker, and measured faster
 * on every stop and join (README "Restarts and scaling"); a cluster has it when its {@code
 * group.version} feature is finalized at 1 or more (Kafka 4.0 on, or 3.7+ with it enabled). Older
 * clusters speak only the classic protocol. Stateless.
 */
public final class GroupProtocols {

  private static final Logger LOG = LoggerFactory.getLogger(GroupProtocols.class);

  private GroupProtocols() {}

  /**
   * The consumer protocol when the cluster has it, else classic; classic too when the cluster does
   * not answer within {@code timeout} (logged), as every broker speaks it.
   *
   * @param clientConfig a Kafka client's configuration (servers, security); the admin client's
   *     settings are taken from it
   */
  public static GroupProtocol best(Map<String, Object> clientConfig, Duration timeout) {
    Admin admin = Admin.create(adminConfig(clientConfig));
    try {
      FinalizedVersionRange group =
          admin
              .describeFeatures()
              .featureMetadata()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .finalizedFeatures()
              .get("group.version");
      return group != null && group.maxVersionLevel() >= 1
          ? GroupProtocol.CONSUMER
          : GroupProtocol.CLASSIC;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn(
          "could not ask Kafka which consumer group protocols it offers ({}); using classic",
          e instanceof ExecutionException ? e.getCause().toString() : e.toString());
      return GroupProtocol.CLASSIC;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return GroupProtocol.CLASSIC;
    } finally {
      // Not the default close, which waits for calls in flight up to a minute.
      admin.close(Duration.ZERO);
    }
  }

  /** The settings an admin client knows, of a client's configuration. */
  static Map<String, Object> adminConfig(Map<String, Object> clientConfig) {
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
