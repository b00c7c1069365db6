package dev.orderservice.server.config;

import dev.orderservice.persistence.OrderRetention;
import dev.orderservice.settings.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The settings of the order service, read once at start by {@link ServerOptions#parse} from
 * command-line flags over environment variables; the settings, their variables, flags and defaults
 * are listed in {@link dev.orderservice.settings.Settings} and the README.
 *
 * <p>An immutable value; {@link #toString()} leaves out the token, the database password and every
 * secret of the Kafka client properties.
 *
 * @param jdbcUrl the PostgreSQL to use; empty for the embedded one
 * @param dbPoolSize the most connections to PostgreSQL, and the HTTP threads that read it
 * @param kafkaBootstrapServers the Kafka cluster to consume; empty for the embedded broker
 * @param kafkaTopic the topic of order documents
 * @param kafkaDeadLetterTopic where rejected records go
 * @param kafkaGroup the consumer group
 * @param kafkaInstanceId the static member id in the group; empty for a dynamic member
 * @param kafkaGroupProtocol the consumer group protocol, {@code classic} or {@code consumer}
 * @param kafkaSessionTimeout how long the group waits for a member that stopped (classic protocol)
 * @param kafkaDlqRetention how long a dead-letter topic the service creates keeps its records
 * @param httpHost the address HTTP binds to; {@code 0.0.0.0} for every interface
 * @param httpPort the HTTP port; 0 picks a free one
 * @param cacheMaxEntries how many orders the cache holds at most
 * @param apiToken the bearer token the write endpoints require; empty when they are open
 * @param protectReads whether the reads of orders (lookup, search, live feed) require the token
 *     too; never true without a token
 * @param streamHeartbeat how often the live stream sends a comment line to idle clients
 * @param dataDir where the embedded servers keep their data
 * @param logFormat how log lines look
 * @param accessLog whether each HTTP request is logged
 * @param ignoreUnknownFields whether fields the model does not know are skipped (logged and
 *     counted) instead of rejecting the order
 * @param kafkaClients the user's properties for every Kafka client (KAFKA_CONFIG_FILE,
 *     KAFKA_CLIENT_*), checked to be safe; shown with secrets hidden
 * @param retention how long orders keep their personal data (a {@link java.time.Period} or a {@link
 *     Duration}); empty for no retention
 * @param retentionAction what the retention does to the orders older than that
 * @param otelVariables the environment's {@code OTEL_*} variables, OpenTelemetry's own settings of
 *     the traces (see {@link dev.orderservice.server.lifecycle.Tracing}); shown by name only, since
 *     {@code OTEL_EXPORTER_OTLP_HEADERS} may carry a token
 */
public record ServerConfig(
    Optional<String> jdbcUrl,
    int dbPoolSize,
    Optional<String> kafkaBootstrapServers,
    String kafkaTopic,
    String kafkaDeadLetterTopic,
    String kafkaGroup,
    Optional<String> kafkaInstanceId,
    String kafkaGroupProtocol,
    Duration kafkaSessionTimeout,
    Duration kafkaDlqRetention,
    String httpHost,
    int httpPort,
    long cacheMaxEntries,
    Optional<String> apiToken,
    boolean protectReads,
    Duration streamHeartbeat,
    Path dataDir,
    LogFormat logFormat,
    boolean accessLog,
    boolean ignoreUnknownFields,
    KafkaClientConfig kafkaClients,
    Optional<TemporalAmount> retention,
    OrderRetention.Action retentionAction,
    Map<String, String> otelVariables) {

  public ServerConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(kafkaTopic, "kafkaTopic");
    Objects.requireNonNull(kafkaDeadLetterTopic, "kafkaDeadLetterTopic");
    Objects.requireNonNull(kafkaGroup, "kafkaGroup");
    Objects.requireNonNull(kafkaInstanceId, "kafkaInstanceId");
    Objects.requireNonNull(kafkaGroupProtocol, "kafkaGroupProtocol");
    Objects.requireNonNull(kafkaSessionTimeout, "kafkaSessionTimeout");
    Objects.requireNonNull(kafkaDlqRetention, "kafkaDlqRetention");
    Objects.requireNonNull(httpHost, "httpHost");
    Objects.requireNonNull(apiToken, "apiToken");
    Objects.requireNonNull(streamHeartbeat, "streamHeartbeat");
    if (protectReads && apiToken.isEmpty()) {
      throw new IllegalArgumentException("protectReads needs an apiToken");
    }
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(kafkaClients, "kafkaClients");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(retentionAction, "retentionAction");
    otelVariables = Map.copyOf(otelVariables);
  }

  /** Whether the retention deletes orders (then a cache cannot learn of them after an outage). */
  public boolean retentionDeletes() {
    return retention.isPresent() && retentionAction == OrderRetention.Action.DELETE;
  }

  /** Whether the database is embedded (no DB_DSN). */
  public boolean embeddedDatabase() {
    return jdbcUrl.isEmpty();
  }

  /** Whether the Kafka broker is embedded (no KAFKA_BROKER). */
  public boolean embeddedKafka() {
    return kafkaBootstrapServers.isEmpty();
  }

  @Override
  public String toString() {
    return "ServerConfig[database="
        + jdbcUrl.map(ServerConfig::withoutCredentials).orElse("embedded")
        + ", dbPoolSize="
        + dbPoolSize
        + ", kafka="
        + kafkaBootstrapServers.orElse("embedded")
        + ", topic="
        + kafkaTopic
        + ", deadLetterTopic="
        + kafkaDeadLetterTopic
        + ", group="
        + kafkaGroup
        + ", instanceId="
        + kafkaInstanceId.orElse("none")
        + ", groupProtocol="
        + kafkaGroupProtocol
        + ", sessionTimeout="
        + kafkaSessionTimeout.toMillis()
        + "ms, dlqRetention="
        + kafkaDlqRetention
        + ", http="
        + httpHost
        + ":"
        + httpPort
        + ", cacheMaxEntries="
        + cacheMaxEntries
        + ", apiToken="
        + (apiToken.isPresent() ? "set" : "none")
        + ", protectReads="
        + protectReads
        + ", streamHeartbeat="
        + streamHeartbeat.toMillis()
        + "ms"
        + ", dataDir="
        + dataDir
        + ", logFormat="
        + logFormat.name().toLowerCase(java.util.Locale.ROOT)
        + ", accessLog="
        + accessLog
        + ", unknownFields="
        + (ignoreUnknownFields ? "ignore" : "reject")
        + ", kafkaClientSettings="
        + kafkaClients
        + ", retention="
        + retention.map(r -> r + " " + retentionAction.label()).orElse("none")
        + ", otel="
        + new TreeSet<>(otelVariables.keySet())
        + "]";
  }

  /**
   * {@code host:port/database} of a {@code jdbc:postgresql://} URL: what a log line may say about a
   * database. The query string, which may carry a user and password, is dropped.
   */
  public static String withoutCredentials(String jdbcUrl) {
    String rest =
        jdbcUrl.startsWith("jdbc:postgresql://")
            ? jdbcUrl.substring("jdbc:postgresql://".length())
            : jdbcUrl.substring("jdbc:postgresql:".length());
    int query = rest.indexOf('?');
    return query < 0 ? rest : rest.substring(0, query);
  }
}
