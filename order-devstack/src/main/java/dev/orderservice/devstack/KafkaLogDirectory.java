package dev.orderservice.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log directory of an {@link EmbeddedKafka} node: the caller's (kept, reused once formatted) or
 * a temporary one (deleted on {@link #deleteIfTemporary()}), formatted for KRaft as {@code
 * kafka-storage.sh format} would.
 *
 * <p>Not thread-safe; {@link EmbeddedKafka} calls it under its own lock.
 */
final class KafkaLogDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /**
   * Written by the storage formatter; its presence means "formatted" (as kafka-storage.sh sees it).
   */
  private static final String META_PROPERTIES = "meta.properties";

  private final Path path;
  private final boolean temporary;

  private KafkaLogDirectory(Path path, boolean temporary) {
    this.path = path;
    this.temporary = temporary;
  }

  /**
   * Creates {@code configured} if missing, or a temporary directory if it is null.
   *
   * @throws DevstackException if the directory cannot be created
   */
  static KafkaLogDirectory prepare(Path configured) {
    try {
      if (configured != null) {
        return new KafkaLogDirectory(Files.createDirectories(configured), false);
      }
      return new KafkaLogDirectory(Files.createTempDirectory("order-devstack-kafka-"), true);
    } catch (IOException e) {
      throw new DevstackException("could not create Kafka log directory: " + e, e);
    }
  }

  Path path() {
    return path;
  }

  /**
   * Writes {@code meta.properties} and the bootstrap metadata unless already there; KRaft refuses
   * to start on an unformatted directory.
   *
   * @throws DevstackException if formatting fails (the message holds the formatter's output)
   */
  void formatIfNeeded(KafkaBrokerSettings settings) {
    formatIfNeeded(settings.nodeId(), Uuid.randomUuid().toString());
  }

  /**
   * As {@link #formatIfNeeded(KafkaBrokerSettings)}, for node {@code nodeId} of the cluster {@code
   * clusterId}: every node of one cluster is formatted with the same cluster id.
   */
  void formatIfNeeded(int nodeId, String clusterId) {
    if (Files.exists(path.resolve(META_PROPERTIES))) {
      LOG.debug("reusing formatted Kafka log directory {}", path);
      return;
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(printStream)
          .setNodeId(nodeId)
          .setClusterId(clusterId)
          .setControllerListenerName(KafkaBrokerSettings.CONTROLLER_LISTENER)
          .setMetadataLogDirectory(path.toString())
          .addDirectory(path.toString())
          .run();
    } catch (Exception e) {
      throw new DevstackException(
          "could not format Kafka log directory "
              + path
              + ": "
              + e
              + "\n"
              + output.toString(StandardCharsets.UTF_8),
          e);
    }
    LOG.debug("formatted {}: {}", path, output.toString(StandardCharsets.UTF_8).strip());
  }

  /** Deletes a temporary directory, logging (not throwing) a failure; keeps the caller's. */
  void deleteIfTemporary() {
    if (!temporary) {
      return;
    }
    try {
      DevstackFiles.deleteRecursively(path);
    } catch (RuntimeException e) {
      LOG.warn("could not delete {}: {}", path, e.toString());
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
