package dev.orderservice.devstack;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The admin calls {@link EmbeddedKafka} makes on its own broker, each over a short-lived {@link
 * Admin} client: waiting until the broker serves metadata, and creating a topic whose partitions
 * all have a leader. {@link #adminProperties()} is the one place that says how these clients
 * connect.
 *
 * <p>Immutable and thread-safe; every call blocks, bounded by its timeout.
 */
final class BrokerAdmin {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;

  BrokerAdmin(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Blocks until the broker lists itself as an unfenced node, for at most 60 s.
   *
   * @throws DevstackException if it does not within that time, or the thread is interrupted
   */
  void awaitServesMetadata() {
    awaitNodes(1);
  }

  /**
   * Blocks until the cluster lists at least {@code count} unfenced nodes, for at most 60 s.
   *
   * @throws DevstackException if it does not within that time, or the thread is interrupted
   */
  void awaitNodes(int count) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception last = null;
    try (Admin admin = Admin.create(adminProperties())) {
      while (System.nanoTime() < deadline) {
        try {
          Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          // KRaft only lists unfenced brokers: a listed node accepts produce requests.
          if (nodes.size() >= count) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
        // Polling interval: the Admin client offers no call that waits for the broker.
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while waiting for the Kafka broker", e);
    }
    throw new DevstackException(
        "Kafka on "
            + bootstrapServers
            + " did not list "
            + count
            + (count == 1 ? " broker" : " brokers")
            + " within "
            + READY_TIMEOUT.toSeconds()
            + " s"
            + (last == null ? "" : ": " + last),
        last);
  }

  /**
   * Creates the topic (replication factor 1) unless it exists, and blocks until every partition has
   * a leader, for at most 30 s.
   *
   * @throws DevstackException if the topic cannot be created or gets no leaders in time
   */
  void createTopic(String name, int partitions) {
    createTopic(name, partitions, 1);
  }

  /**
   * As {@link #createTopic(String, int)}, with {@code replicationFactor} copies of each partition.
   */
  void createTopic(String name, int partitions, int replicationFactor) {
    try (Admin admin = Admin.create(adminProperties())) {
      try {
        admin
            .createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor)))
            .all()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, name);
    } catch (ExecutionException e) {
      throw new DevstackException(
          "could not create topic " + name + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new DevstackException("timed out creating topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while creating topic " + name, e);
    }
  }

  /**
   * How many partitions of {@code topic} each node leads now, by node id; nodes leading none are
   * absent.
   *
   * @throws DevstackException if the topic cannot be described within 30 s
   */
  Map<Integer, Integer> partitionsLedByNode(String topic) {
    try (Admin admin = Admin.create(adminProperties())) {
      TopicDescription description =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic);
      Map<Integer, Integer> led = new TreeMap<>();
      for (TopicPartitionInfo partition : description.partitions()) {
        Node leader = partition.leader();
        if (leader != null && !leader.isEmpty()) {
          led.merge(leader.id(), 1, Integer::sum);
        }
      }
      return led;
    } catch (ExecutionException e) {
      throw new DevstackException(
          "could not describe topic " + topic + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new DevstackException("timed out describing topic " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while describing topic " + topic, e);
    }
  }

  private static void awaitLeaders(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription description =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(5, TimeUnit.SECONDS)
                .get(topic);
        if (description != null
            && description.partitions().stream()
                .map(TopicPartitionInfo::leader)
                .allMatch(leader -> leader != null && !leader.isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        // UnknownTopicOrPartition right after creation: metadata has not propagated yet.
        if (System.nanoTime() >= deadline) {
          throw e;
        }
      }
      if (System.nanoTime() >= deadline) {
        throw new TimeoutException(
            "partitions of " + topic + " have no leader after " + ADMIN_TIMEOUT.toSeconds() + " s");
      }
      // Polling interval: the Admin client offers no call that waits for partition leaders.
      Thread.sleep(20);
    }
  }

  /**
   * Creates or alters the SCRAM-SHA-512 credentials of {@code user}, and blocks until the broker
   * describes the user, for at most 30 s (a new password for a user it knew may take effect a
   * moment later).
   *
   * @throws DevstackException if the broker refuses them or does not list them in time
   */
  void upsertScramUser(String user, String password) {
    ScramCredentialInfo info = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192);
    try (Admin admin = Admin.create(adminProperties())) {
      admin
          .alterUserScramCredentials(
              List.of(new UserScramCredentialUpsertion(user, info, password)))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
      while (!describesScramUser(admin, user)) {
        if (System.nanoTime() >= deadline) {
          throw new TimeoutException("the broker does not list the user after 30 s");
        }
        // Polling interval: the Admin client offers no call that waits for the credentials.
        Thread.sleep(20);
      }
    } catch (ExecutionException e) {
      throw new DevstackException(
          "could not set the SCRAM credentials of " + user + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new DevstackException("timed out setting the SCRAM credentials of " + user, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted setting the SCRAM credentials of " + user, e);
    }
  }

  private static boolean describesScramUser(Admin admin, String user)
      throws InterruptedException, TimeoutException {
    try {
      return admin
          .describeUserScramCredentials(List.of(user))
          .all()
          .get(5, TimeUnit.SECONDS)
          .containsKey(user);
    } catch (ExecutionException e) {
      return false; // ResourceNotFound until the broker has the new metadata
    }
  }

  private Properties adminProperties() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "order-devstack-admin");
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    properties.put(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ADMIN_TIMEOUT.toMillis()));
    return properties;
  }
}
