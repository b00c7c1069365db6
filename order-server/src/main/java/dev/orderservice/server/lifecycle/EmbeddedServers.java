package dev.orderservice.server.lifecycle;

import dev.orderservice.devstack.EmbeddedKafka;
import dev.orderservice.devstack.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL and Kafka of embedded mode: the only class of the server that touches
 * order-devstack, which {@code order-server-production.jar} leaves out. {@link BackingServices}
 * reaches it only when a server is not configured and the build has order-devstack, so the other
 * classes load without it.
 *
 * <p>The start methods block until the server is up (seconds on first use) and throw {@link
 * dev.orderservice.devstack.DevstackException} if it cannot start, having stopped it again. Not
 * thread safe: the owner starts and closes it.
 */
final class EmbeddedServers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);

  private Optional<EmbeddedPostgres> postgres = Optional.empty();
  private Optional<EmbeddedKafka> kafka = Optional.empty();

  /**
   * Starts PostgreSQL with its data in {@code dataDirectory} and the database {@code database}.
   *
   * @return its JDBC URL, the user included
   */
  String startPostgres(Path dataDirectory, String database) {
    EmbeddedPostgres server =
        EmbeddedPostgres.builder().dataDirectory(dataDirectory).databaseName(database).build();
    start(server, server::start);
    postgres = Optional.of(server);
    LOG.info("PostgreSQL: embedded, data in {}, port {}", dataDirectory, server.port());
    return server.jdbcUrl() + "?user=" + server.user();
  }

  /**
   * Starts a broker on {@code port} with its log in {@code logDirectory}, and creates {@code topic}
   * with {@code partitions} partitions. The ingest creates {@code deadLetterTopic}, with the
   * retention KAFKA_DLQ_RETENTION asks for.
   *
   * @return its bootstrap servers
   */
  String startKafka(
      Path logDirectory, int port, String topic, int partitions, String deadLetterTopic) {
    EmbeddedKafka broker =
        EmbeddedKafka.builder()
            .port(port)
            .logDirectory(logDirectory)
            .defaultPartitions(partitions)
            .build();
    start(
        broker,
        () -> {
          broker.start();
          broker.createTopic(topic, partitions);
        });
    kafka = Optional.of(broker);
    LOG.info(
        "Kafka: embedded, data in {}, listening on {}, topic {} ({} partitions),"
            + " dead letters to {}",
        logDirectory,
        broker.bootstrapServers(),
        topic,
        partitions,
        deadLetterTopic);
    return broker.bootstrapServers();
  }

  /**
   * Stops what was started, Kafka first (it may still be flushing). A failure to stop one is
   * logged, and the other is still stopped.
   */
  @Override
  public void close() {
    kafka.ifPresent(
        k -> {
          LOG.info("stopping the embedded Kafka broker");
          closeQuietly(k);
        });
    postgres.ifPresent(
        p -> {
          LOG.info("stopping the embedded PostgreSQL");
          closeQuietly(p);
        });
    kafka = Optional.empty();
    postgres = Optional.empty();
  }

  /** Runs {@code start}; if it fails, stops {@code server} again and rethrows. */
  private static void start(AutoCloseable server, Runnable start) {
    try {
      start.run();
    } catch (RuntimeException e) {
      closeQuietly(server);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("could not stop {}: {}", closeable, e.toString());
    }
  }
}
