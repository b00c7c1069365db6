package dev.orderservice.server.lifecycle;

import dev.orderservice.server.config.ServerConfig;
import dev.orderservice.settings.Setting;
import dev.orderservice.settings.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL and Kafka as the server uses them: the configured ones, or embedded ones started here
 * when none is configured (embedded mode). Embedded data lives under the data directory, so a
 * restart keeps the orders and the topic.
 *
 * <p>Embedded mode needs order-devstack, which {@code order-server.jar} has and {@code
 * order-server-production.jar} does not. This class never names a devstack class, so it loads in
 * both; the embedded servers are {@link EmbeddedServers}, reached only once {@link
 * #requireEmbeddedModeWhereUnconfigured} has found order-devstack on the class path.
 *
 * <p>{@link #start} blocks until the embedded servers are up (seconds on first use); {@link
 * #close()} stops what was started here, never a configured server. Not thread safe: the owner
 * starts and closes it.
 */
public final class BackingServices implements AutoCloseable {

  /** The embedded broker's fixed port, so {@code kafka-console-producer} and kcat find it. */
  static final int EMBEDDED_KAFKA_PORT = 9092;

  static final int TOPIC_PARTITIONS = 3;
  static final String EMBEDDED_DATABASE = "orders";

  /** A class of order-devstack, looked up by name so that this class loads without it. */
  private static final String DEVSTACK_CLASS = "dev.orderservice.devstack.EmbeddedPostgres";

  private static final Logger LOG = LoggerFactory.getLogger(BackingServices.class);

  private final String jdbcUrl;
  private final String kafkaBootstrapServers;
  private final Optional<EmbeddedServers> embedded;

  private BackingServices(
      String jdbcUrl, String kafkaBootstrapServers, Optional<EmbeddedServers> embedded) {
    this.jdbcUrl = jdbcUrl;
    this.kafkaBootstrapServers = kafkaBootstrapServers;
    this.embedded = embedded;
  }

  /**
   * Refuses a configuration that leaves PostgreSQL or Kafka to embedded mode in a build without it
   * ({@code order-server-production.jar}). A runner calls it while it reads its settings, so that
   * the refusal is a usage error; {@link #start} calls it too.
   *
   * @throws IllegalArgumentException naming the settings that must be given, in one line
   */
  public static void requireEmbeddedModeWhereUnconfigured(ServerConfig config) {
    List<String> settings = new ArrayList<>();
    List<String> servers = new ArrayList<>();
    if (config.embeddedDatabase()) {
      settings.add(label(Settings.DB_DSN));
      servers.add("PostgreSQL");
    }
    if (config.embeddedKafka()) {
      settings.add(label(Settings.KAFKA_BROKER));
      servers.add("Kafka");
    }
    if (settings.isEmpty() || embeddedModeAvailable()) {
      return;
    }
    throw new IllegalArgumentException(
        String.join(" and ", settings)
            + (settings.size() == 1 ? " is" : " are")
            + " required: this build has no embedded "
            + String.join(" or ", servers)
            + " (use order-server.jar for embedded mode)");
  }

  /**
   * Uses the configured servers, starting embedded ones for what is not configured, and logs one
   * line for each saying which.
   *
   * @throws IllegalArgumentException if a server is not configured and this build has no embedded
   *     mode
   * @throws RuntimeException (a {@code DevstackException}) if an embedded server cannot start; what
   *     was started is stopped again
   */
  public static BackingServices start(ServerConfig config) {
    requireEmbeddedModeWhereUnconfigured(config);
    Optional<EmbeddedServers> embedded =
        config.embeddedDatabase() || config.embeddedKafka()
            ? Optional.of(new EmbeddedServers())
            : Optional.empty();
    try {
      String jdbcUrl;
      if (config.jdbcUrl().isPresent()) {
        jdbcUrl = config.jdbcUrl().get();
        LOG.info("PostgreSQL: external {}", ServerConfig.withoutCredentials(jdbcUrl));
      } else {
        jdbcUrl =
            embedded.get().startPostgres(config.dataDir().resolve("postgres"), EMBEDDED_DATABASE);
      }
      String bootstrap;
      if (config.kafkaBootstrapServers().isPresent()) {
        bootstrap = config.kafkaBootstrapServers().get();
        LOG.info(
            "Kafka: external {}, topic {}, dead letters to {}",
            bootstrap,
            config.kafkaTopic(),
            config.kafkaDeadLetterTopic());
      } else {
        bootstrap =
            embedded
                .get()
                .startKafka(
                    config.dataDir().resolve("kafka"),
                    EMBEDDED_KAFKA_PORT,
                    config.kafkaTopic(),
                    TOPIC_PARTITIONS,
                    config.kafkaDeadLetterTopic());
      }
      return new BackingServices(jdbcUrl, bootstrap, embedded);
    } catch (RuntimeException e) {
      embedded.ifPresent(EmbeddedServers::close);
      throw e;
    }
  }

  /** A {@code jdbc:postgresql:} URL with the credentials. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String kafkaBootstrapServers() {
    return kafkaBootstrapServers;
  }

  /** Stops the embedded servers, Kafka first (it may still be flushing); configured ones stay. */
  @Override
  public void close() {
    embedded.ifPresent(EmbeddedServers::close);
  }

  private static String label(Setting<?> setting) {
    return setting.variable() + " (" + setting.flag() + ")";
  }

  private static boolean embeddedModeAvailable() {
    try {
      Class.forName(DEVSTACK_CLASS, false, BackingServices.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
