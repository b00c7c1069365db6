package dev.orderservice.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of the order service, read once at start from environment variables and
 * command-line flags (a flag wins over its variable; a blank variable counts as unset):
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>variable</th><th>flag</th><th>default</th></tr>
 *   <tr><td>DB_DSN</td><td>--db-dsn</td><td>embedded PostgreSQL in DATA_DIR/postgres</td></tr>
 *   <tr><td>DB_POOL_SIZE</td><td>--db-pool-size</td><td>8</td></tr>
 *   <tr><td>KAFKA_BROKER or KAFKA_BROKERS</td><td>--kafka-broker</td>
 *       <td>embedded Kafka on 127.0.0.1:9092, data in DATA_DIR/kafka</td></tr>
 *   <tr><td>KAFKA_TOPIC</td><td>--kafka-topic</td><td>orders</td></tr>
 *   <tr><td>KAFKA_GROUP</td><td>--kafka-group</td><td>order-service</td></tr>
 *   <tr><td>KAFKA_DLQ_TOPIC</td><td>--kafka-dlq-topic</td><td>the topic + ".dlq"</td></tr>
 *   <tr><td>KAFKA_INSTANCE_ID</td><td>--kafka-instance-id</td>
 *       <td>HOST-PORT; none when the HTTP port is 0</td></tr>
 *   <tr><td>KAFKA_SESSION_TIMEOUT</td><td>--kafka-session-timeout</td><td>45s</td></tr>
 *   <tr><td>HTTP_ADDR</td><td>--http-addr</td><td>:8080 (every interface)</td></tr>
 *   <tr><td>CACHE_MAX_ENTRIES</td><td>--cache-max-entries</td><td>the cache's default</td></tr>
 *   <tr><td>API_TOKEN</td><td>--api-token</td><td>none: write endpoints are open</td></tr>
 *   <tr><td>PROTECT_READS</td><td>--protect-reads</td><td>false: reads are open</td></tr>
 *   <tr><td>STREAM_HEARTBEAT</td><td>--stream-heartbeat</td><td>15s</td></tr>
 *   <tr><td>DATA_DIR</td><td>--data-dir</td><td>./data</td></tr>
 *   <tr><td>LOG_FORMAT</td><td>--log-format</td><td>text</td></tr>
 *   <tr><td>ACCESS_LOG</td><td>--access-log</td><td>false</td></tr>
 *   <tr><td>UNKNOWN_FIELDS</td><td>--unknown-fields</td><td>reject</td></tr>
 * </table>
 *
 * <p>An immutable value; {@link #toString()} leaves out the token and the database password.
 *
 * @param jdbcUrl the PostgreSQL to use; empty for the embedded one
 * @param dbPoolSize the most connections to PostgreSQL, and the HTTP threads that read it
 * @param kafkaBootstrapServers the Kafka cluster to consume; empty for the embedded broker
 * @param kafkaTopic the topic of order documents
 * @param kafkaDeadLetterTopic where rejected records go
 * @param kafkaGroup the consumer group
 * @param kafkaInstanceId the static member id in the group; empty for a dynamic member
 * @param kafkaSessionTimeout how long the group waits for a member that stopped
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
 */
public record ServerConfig(
    Optional<String> jdbcUrl,
    int dbPoolSize,
    Optional<String> kafkaBootstrapServers,
    String kafkaTopic,
    String kafkaDeadLetterTopic,
    String kafkaGroup,
    Optional<String> kafkaInstanceId,
    Duration kafkaSessionTimeout,
    String httpHost,
    int httpPort,
    long cacheMaxEntries,
    Optional<String> apiToken,
    boolean protectReads,
    Duration streamHeartbeat,
    Path dataDir,
    LogFormat logFormat,
    boolean accessLog,
    boolean ignoreUnknownFields) {

  public ServerConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(kafkaTopic, "kafkaTopic");
    Objects.requireNonNull(kafkaDeadLetterTopic, "kafkaDeadLetterTopic");
    Objects.requireNonNull(kafkaGroup, "kafkaGroup");
    Objects.requireNonNull(kafkaInstanceId, "kafkaInstanceId");
    Objects.requireNonNull(kafkaSessionTimeout, "kafkaSessionTimeout");
    Objects.requireNonNull(httpHost, "httpHost");
    Objects.requireNonNull(apiToken, "apiToken");
    Objects.requireNonNull(streamHeartbeat, "streamHeartbeat");
    if (protectReads && apiToken.isEmpty()) {
      throw new IllegalArgumentException("protectReads needs an apiToken");
    }
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(logFormat, "logFormat");
  }

  /**
   * Reads the settings from {@code args} (flags) over {@code env} (environment variables).
   * {@code --help} and {@code --version} are accepted and ignored here; {@link Main} acts on them.
   *
   * @throws IllegalArgumentException for an unknown flag or an invalid value; the message is one
   *     line naming the variable and the flag, the value (unless secret) and what is wrong, e.g.
   *     {@code invalid HTTP_ADDR (--http-addr) ":99999": port must be 0..65535}
   */
  public static ServerConfig parse(String[] args, Map<String, String> env) {
    return ServerOptions.parse(args, env).toConfig();
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
        + ", dbPoolSize=" + dbPoolSize
        + ", kafka=" + kafkaBootstrapServers.orElse("embedded")
        + ", topic=" + kafkaTopic
        + ", deadLetterTopic=" + kafkaDeadLetterTopic
        + ", group=" + kafkaGroup
        + ", instanceId=" + kafkaInstanceId.orElse("none")
        + ", sessionTimeout=" + kafkaSessionTimeout.toMillis() + "ms"
        + ", http=" + httpHost + ":" + httpPort
        + ", cacheMaxEntries=" + cacheMaxEntries
        + ", apiToken=" + (apiToken.isPresent() ? "set" : "none")
        + ", protectReads=" + protectReads
        + ", streamHeartbeat=" + streamHeartbeat.toMillis() + "ms"
        + ", dataDir=" + dataDir
        + ", logFormat=" + logFormat.name().toLowerCase(java.util.Locale.ROOT)
        + ", accessLog=" + accessLog
        + ", unknownFields=" + (ignoreUnknownFields ? "ignore" : "reject") + "]";
  }

  /**
   * {@code host:port/database} of a {@code jdbc:postgresql://} URL: what a log line may say about
   * a database. The query string, which may carry a user and password, is dropped.
   */
  static String withoutCredentials(String jdbcUrl) {
    String rest = jdbcUrl.startsWith("jdbc:postgresql://")
        ? jdbcUrl.substring("jdbc:postgresql://".length())
        : jdbcUrl.substring("jdbc:postgresql:".length());
    int query = rest.indexOf('?');
    return query < 0 ? rest : rest.substring(0, query);
  }
}
