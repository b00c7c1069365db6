package dev.orderservice.server.lifecycle;

import dev.orderservice.server.config.ServerConfig;

import dev.orderservice.devstack.EmbeddedKafka;
import dev.orderservice.devstack.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL and Kafka as the server uses them: the configured ones, or embedded ones started
 * here when none is configured (embedded mode). Embedded data lives under the data directory, so
 * a restart keeps the orders and the topic.
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

  private static final Logger LOG = LoggerFactory.getLogger(BackingServices.class);

  private final String jdbcUrl;
  private final String kafkaBootstrapServers;
  private final Optional<EmbeddedPostgres> postgres;
  private final Optional<EmbeddedKafka> kafka;

  private BackingServices(
      String jdbcUrl,
      String kafkaBootstrapServers,
      Optional<EmbeddedPostgres> postgres,
      Optional<EmbeddedKafka> kafka) {
    this.jdbcUrl = jdbcUrl;
    this.kafkaBootstrapServers = kafkaBootstrapServers;
    this.postgres = postgres;
    this.kafka = kafka;
  }

  /**
   * Uses the configured servers, starting embedded ones for what is not configured, and logs one
   * line for each saying which.
   *
   * @throws dev.orderservice.devstack.DevstackException if an embedded server cannot start; what
   *     was started is stopped again
   */
  public static BackingServices start(ServerConfig config) {
    Optional<EmbeddedPostgres> postgres = Optional.empty();
    try {
      String jdbcUrl;
      if (config.jdbcUrl().isPresent()) {
        jdbcUrl = config.jdbcUrl().get();
        LOG.info("PostgreSQL: external {}", ServerConfig.withoutCredentials(jdbcUrl));
      } else {
        postgres = Optional.of(startPostgres(config.dataDir().resolve("postgres")));
        jdbcUrl = postgres.get().jdbcUrl() + "?user=" + postgres.get().user();
      }
      String bootstrap;
      Optional<EmbeddedKafka> kafka = Optional.empty();
      if (config.kafkaBootstrapServers().isPresent()) {
        bootstrap = config.kafkaBootstrapServers().get();
        LOG.info("Kafka: external {}, topic {}, dead letters to {}", bootstrap, config.kafkaTopic(),
            config.kafkaDeadLetterTopic());
      } else {
        kafka = Optional.of(startKafka(config.dataDir().resolve("kafka"), config.kafkaTopic(),
            config.kafkaDeadLetterTopic()));
        bootstrap = kafka.get().bootstrapServers();
      }
      return new BackingServices(jdbcUrl, bootstrap, postgres, kafka);
    } catch (RuntimeException e) {
      postgres.ifPresent(BackingServices::closeQuietly);
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
    kafka.ifPresent(k -> {
      LOG.info("stopping the embedded Kafka broker");
      closeQuietly(k);
    });
    postgres.ifPresent(p -> {
      LOG.info("stopping the embedded PostgreSQL");
      closeQuietly(p);
    });
  }

  private static EmbeddedPostgres startPostgres(Path dataDirectory) {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .dataDirectory(dataDirectory)
        .databaseName(EMBEDDED_DATABASE)
        .build();
    try {
      postgres.start();
    } catch (RuntimeException e) {
      closeQuietly(postgres);
      throw e;
    }
    LOG.info("PostgreSQL: embedded, data in {}, port {}", dataDirectory, postgres.port());
    return postgres;
  }

  private static EmbeddedKafka startKafka(Path logDirectory, String topic, String deadLetterTopic) {
    EmbeddedKafka kafka = EmbeddedKafka.builder()
        .port(EMBEDDED_KAFKA_PORT)
        .logDirectory(logDirectory)
        .defaultPartitions(TOPIC_PARTITIONS)
        .build();
    try {
      kafka.start();
      kafka.createTopic(topic, TOPIC_PARTITIONS);
      kafka.createTopic(deadLetterTopic, 1);
    } catch (RuntimeException e) {
      closeQuietly(kafka);
      throw e;
    }
    LOG.info("Kafka: embedded, data in {}, listening on {}, topic {} ({} partitions),"
        + " dead letters to {}", logDirectory, kafka.bootstrapServers(), topic, TOPIC_PARTITIONS,
        deadLetterTopic);
    return kafka;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("could not stop {}: {}", closeable, e.toString());
    }
  }
}
