package dev.orderservice.settings;

import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.persistence.PostgresDsn;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The table of settings: every setting of {@code order-server} and {@code order-cli}, once, in the
 * order of the server's help and of the README's configuration table (a test holds the README to
 * it). The CLI declares the ones it shares with the server (the database, the broker, the topics,
 * unknown fields) from the same rows, under flags of its own.
 *
 * <p>To add a setting: add its row here (its variables, flag, default or what unset means, parser
 * and description), then read it where it is used, e.g. a component of {@code ServerConfig} built
 * from {@code values.get(Settings.NEW_ONE)}. The flag, the environment variable, the check and the
 * help follow from the row. The family of variables {@code KAFKA_CLIENT_<NAME>} is no row: {@link
 * KafkaClientConfig} reads it from the whole environment, with the file of {@link
 * #KAFKA_CONFIG_FILE} under it.
 *
 * <p>The rows are immutable and thread safe.
 */
public final class Settings {

  /** The rows in order; listed before them so that each row can add itself as it is made. */
  private static final List<Setting<?>> TABLE = new ArrayList<>();

  /** The embedded broker's address: the server's, and the CLI's when no broker is named. */
  public static final String EMBEDDED_KAFKA = "127.0.0.1:9092";

  /** The JDBC URL of PostgreSQL; the server runs an embedded one when unset. */
  public static final Setting<Optional<String>> DB_DSN =
      add(
          Setting.named("DB_DSN")
              .flag("--db-dsn", "DSN")
              .describedAs(
                  "PostgreSQL: postgres://user:pass@host:5432/db?sslmode=disable or a"
                      + " jdbc:postgresql: URL")
              .secret()
              // PostgresDsn's messages never repeat a password.
              .optional(PostgresDsn::toJdbcUrl));

  /** Read through {@link #jdbcUrl}, which adds the password to {@link #DB_DSN}'s URL. */
  public static final Setting<Optional<Path>> DB_PASSWORD_FILE =
      add(
          Setting.named("DB_PASSWORD_FILE")
              .flag("--db-password-file", "FILE")
              .describedAs(
                  "A file holding the PostgreSQL password (a trailing newline is not part of it),"
                      + " e.g. a mounted secret, so that DB_DSN need not carry it; DB_DSN must then"
                      + " hold no password")
              .unsetMeans("the password in DB_DSN, if any")
              .optional(Parsers::path));

  public static final Setting<Integer> DB_POOL_SIZE =
      add(
          Setting.named("DB_POOL_SIZE")
              .flag("--db-pool-size", "N")
              .byDefault("8")
              .describedAs(
                  "Most connections to PostgreSQL: a quarter of them (at least 1, at most one per"
                      + " core) run searches, the rest are shared by the ingest, the lookups that"
                      + " miss the cache and the other requests (never fewer than 2); as many HTTP"
                      + " worker threads run database reads")
              .parsedBy(
                  Parsers.wholeNumber(
                          2,
                          1_000,
                          "must be a whole number 2..1000 (the ingest and the HTTP lookups each"
                              + " need one)")
                      .andThen(Math::toIntExact)));

  /** The bootstrap servers; the embedded broker when unset. */
  public static final Setting<Optional<String>> KAFKA_BROKER =
      add(
          Setting.named("KAFKA_BROKER", "KAFKA_BROKERS")
              .flag("--kafka-broker", "HOST:PORT[,...]")
              .describedAs("Kafka bootstrap servers")
              .unsetMeans("the embedded broker on " + EMBEDDED_KAFKA)
              .optional(Parsers::brokers));

  public static final Setting<String> KAFKA_TOPIC =
      add(
          Setting.named("KAFKA_TOPIC")
              .flag("--kafka-topic", "TOPIC")
              .byDefault(OrderIngest.DEFAULT_TOPIC)
              .describedAs("The topic of order documents")
              .parsedBy(Parsers::topic));

  /** Read through {@link #deadLetterTopic}, which knows its default. */
  public static final Setting<Optional<String>> KAFKA_DLQ_TOPIC =
      add(
          Setting.named("KAFKA_DLQ_TOPIC")
              .flag("--kafka-dlq-topic", "TOPIC")
              .describedAs("The dead-letter topic, where rejected records go")
              .unsetMeans("the topic's name + \".dlq\", e.g. orders.dlq")
              .optional(Parsers::topic));

  public static final Setting<Duration> KAFKA_DLQ_RETENTION =
      add(
          Setting.named("KAFKA_DLQ_RETENTION")
              .flag("--kafka-dlq-retention", "DURATION")
              .byDefault("7d")
              .describedAs(
                  "How long a dead-letter topic the service creates keeps its records (its"
                      + " retention.ms), e.g. 7d, 36h or P7D: rejected records hold personal data"
                      + " too. A topic that exists already is left as it is, with a warning if it"
                      + " keeps records longer")
              .parsedBy(
                  Parsers.longDuration(
                      Duration.ofMinutes(1),
                      Duration.ofDays(3_650),
                      "expected a duration from 1m to 3650d, e.g. 7d, 36h or P7D")));

  public static final Setting<String> KAFKA_GROUP =
      add(
          Setting.named("KAFKA_GROUP")
              .flag("--kafka-group", "GROUP")
              .byDefault(OrderIngest.DEFAULT_GROUP_ID)
              .describedAs("Kafka consumer group")
              .parsedBy(Parsers::notBlank));

  /** As given, {@code none} included; the server derives the id when unset. */
  public static final Setting<Optional<String>> KAFKA_INSTANCE_ID =
      add(
          Setting.named("KAFKA_INSTANCE_ID")
              .flag("--kafka-instance-id", "ID")
              .describedAs(
                  "This instance's static membership in the group: restarted with the same id"
                      + " within the session timeout, it gets its partitions back at once. Unique"
                      + " per instance; \"none\" for a dynamic member")
              .unsetMeans(
                  "HOST-PORT (the host name and the HTTP port); a dynamic member when the HTTP"
                      + " port is 0")
              .optional(Parsers::instanceId));

  public static final Setting<String> KAFKA_GROUP_PROTOCOL =
      add(
          Setting.named("KAFKA_GROUP_PROTOCOL")
              .flag("--kafka-group-protocol", "PROTOCOL")
              .byDefault("classic")
              .describedAs(
                  "The consumer group protocol: classic (the group's leader assigns partitions"
                      + " in rebalances), or consumer (Kafka 4's, KIP-848: the broker assigns"
                      + " them incrementally and owns the session timeout, so"
                      + " KAFKA_SESSION_TIMEOUT is refused with it)")
              .parsedBy(Parsers.either("classic", "consumer")));

  public static final Setting<Duration> KAFKA_SESSION_TIMEOUT =
      add(
          Setting.named("KAFKA_SESSION_TIMEOUT")
              .flag("--kafka-session-timeout", "DURATION")
              .byDefault("45s")
              .describedAs(
                  "How long the group waits for a member that stopped before its partitions go"
                      + " to the others, e.g. 45s, 2m, 10000ms. Shorter: an instance scaled down"
                      + " or gone for good is replaced sooner; longer: a restart has more time to"
                      + " get its partitions back without a rebalance")
              .parsedBy(
                  Parsers.duration(
                      Duration.ofSeconds(1),
                      Duration.ofMinutes(30),
                      "expected a duration from 1s to 30m, e.g. 45s, 2m or 10000ms")));

  /**
   * A file of Kafka client properties, as Kafka's own tools read them ({@code --command-config});
   * {@link KafkaClientConfig} reads it, with the {@code KAFKA_CLIENT_<NAME>} variables over it.
   */
  public static final Setting<Optional<Path>> KAFKA_CONFIG_FILE =
      add(
          Setting.named("KAFKA_CONFIG_FILE")
              .flag("--kafka-config", "FILE")
              .describedAs(
                  "A properties file of Kafka client settings (security.protocol, sasl.*, ssl.*,"
                      + " config providers...), as Kafka's tools read it, for every Kafka client;"
                      + " a variable KAFKA_CLIENT_<NAME> (upper case, . written _) sets one and wins"
                      + " over the file")
              .unsetMeans("none")
              .optional(Parsers::path));

  /** Where HTTP listens: host {@code 0.0.0.0} for every interface, port 0 for a free one. */
  public static final Setting<InetSocketAddress> HTTP_ADDR =
      add(
          Setting.named("HTTP_ADDR")
              .flag("--http-addr", "[HOST]:PORT")
              .byDefault(":8080")
              .describedAs("HTTP listen address; no host means every interface, port 0 a free port")
              .parsedBy(Parsers::listenAddress));

  /** Empty for the cache's own default. */
  public static final Setting<Optional<Long>> CACHE_MAX_ENTRIES =
      add(
          Setting.named("CACHE_MAX_ENTRIES")
              .flag("--cache-max-entries", "N")
              .describedAs("Most orders the cache holds; 0 disables the cache")
              .unsetMeans("as many as about 256 MiB of canonical JSON")
              .optional(
                  Parsers.wholeNumber(
                      0, Long.MAX_VALUE, "must be a whole number >= 0 (0 disables the cache)")));

  public static final Setting<Optional<String>> API_TOKEN =
      add(
          Setting.named("API_TOKEN")
              .flag("--api-token", "TOKEN")
              .describedAs("Bearer token required by the write endpoints")
              .unsetMeans("none, writes are open")
              .secret()
              .optional(Parsers::token));

  /** Needs {@link #API_TOKEN}; the server checks that. */
  public static final Setting<Boolean> PROTECT_READS =
      add(
          Setting.named("PROTECT_READS")
              .flag("--protect-reads", "true|false")
              .byDefault("false")
              .describedAs(
                  "Whether reading orders (GET /orders/{order_uid}, GET /orders, the live feed"
                      + " GET /orders/stream and GET /orders/events) needs the API_TOKEN as well;"
                      + " needs API_TOKEN. The page, health, metrics and the contract stay open")
              .parsedBy(Parsers::trueOrFalse));

  public static final Setting<Duration> STREAM_HEARTBEAT =
      add(
          Setting.named("STREAM_HEARTBEAT")
              .flag("--stream-heartbeat", "DURATION")
              .byDefault("15s")
              .describedAs(
                  "How often the live stream (GET /orders/stream) sends a comment line, so that"
                      + " proxies keep an idle stream open, e.g. 15s, 1m, 500ms")
              .parsedBy(
                  Parsers.duration(
                      Duration.ofMillis(100),
                      Duration.ofMinutes(10),
                      "expected a duration from 100ms to 10m, e.g. 15s, 1m or 500ms")));

  public static final Setting<Path> DATA_DIR =
      add(
          Setting.named("DATA_DIR")
              .flag("--data-dir", "DIR")
              .byDefault("./data")
              .describedAs("Where the embedded servers keep their data")
              .parsedBy(Parsers::path));

  /** {@code text} or {@code json}. */
  public static final Setting<String> LOG_FORMAT =
      add(
          Setting.named("LOG_FORMAT")
              .flag("--log-format", "text|json")
              .byDefault("text")
              .describedAs(
                  "How log lines look on stdout: text, or one JSON object per line with logger,"
                      + " level, message, thread and MDC")
              .parsedBy(Parsers.either("text", "json")));

  public static final Setting<Boolean> ACCESS_LOG =
      add(
          Setting.named("ACCESS_LOG")
              .flag("--access-log", "true|false")
              .byDefault("false")
              .describedAs(
                  "Log one line per HTTP request: method, route template, status, duration")
              .parsedBy(Parsers::trueOrFalse));

  /** Whether fields the order model does not know are ignored ({@code ignore}), not refused. */
  public static final Setting<Boolean> UNKNOWN_FIELDS =
      add(
          Setting.named("UNKNOWN_FIELDS")
              .flag("--unknown-fields", "reject|ignore")
              .byDefault("reject")
              .describedAs(
                  "Fields the order model does not know: reject the order (the server sends it to"
                      + " the dead-letter topic, or answers 400), or ignore them: the order is"
                      + " read without them and each field name is noted once")
              .parsedBy(Parsers.either("reject", "ignore").andThen("ignore"::equals)));

  /** Empty: no retention. Read with {@link #RETENTION_ACTION}. */
  public static final Setting<Optional<TemporalAmount>> RETENTION =
      add(
          Setting.named("RETENTION")
              .flag("--retention", "PERIOD")
              .describedAs(
                  "How long orders keep their personal data: an ISO-8601 period, e.g. P3Y, P18M,"
                      + " P90D (or a duration, e.g. PT12H). Orders whose date_created is older are"
                      + " anonymized or deleted (RETENTION_ACTION) at start-up and then hourly,"
                      + " 1,000 a transaction, by one instance at a time")
              .unsetMeans("none, orders are kept as they are")
              .optional(Parsers::period));

  /** What {@link #RETENTION} does to the old orders: {@code anonymize} or {@code delete}. */
  public static final Setting<String> RETENTION_ACTION =
      add(
          Setting.named("RETENTION_ACTION")
              .flag("--retention-action", "anonymize|delete")
              .byDefault("anonymize")
              .describedAs(
                  "What RETENTION does to an old order: anonymize it as an erasure does (the"
                      + " order stays, its personal data is replaced), or delete it with its rows")
              .parsedBy(Parsers.either("anonymize", "delete")));

  private Settings() {}

  /** Every setting, in the order of the table. */
  public static List<Setting<?>> all() {
    return Collections.unmodifiableList(TABLE);
  }

  /**
   * The dead-letter topic: {@link #KAFKA_DLQ_TOPIC}, else the topic's own ({@code orders.dlq} for
   * {@code orders}).
   *
   * @throws InvalidSettingException if it is the topic of orders itself, whose rejected records
   *     would then be read again
   */
  public static String deadLetterTopic(SettingValues values) {
    String topic = values.get(KAFKA_TOPIC);
    Optional<String> named = values.get(KAFKA_DLQ_TOPIC);
    if (named.isEmpty()) {
      return OrderIngest.defaultDeadLetterTopic(topic);
    }
    if (named.get().equals(topic)) {
      throw values.invalid(
          KAFKA_DLQ_TOPIC,
          "must differ from the topic of orders, or rejected records would be read again");
    }
    return named.get();
  }

  /**
   * The pgjdbc URL of {@link #DB_DSN} with the password of {@link #DB_PASSWORD_FILE}, if one is
   * given; empty when {@code DB_DSN} is unset.
   *
   * @throws InvalidSettingException if the file cannot be read or is empty, if {@code DB_DSN}
   *     carries a password too (one place only, so that no one wonders which is used), or if {@code
   *     DB_DSN} is unset (the embedded database needs no password)
   */
  public static Optional<String> jdbcUrl(SettingValues values) {
    Optional<String> url = values.get(DB_DSN);
    Optional<Path> file = values.get(DB_PASSWORD_FILE);
    if (file.isEmpty()) {
      return url;
    }
    if (url.isEmpty()) {
      throw values.invalid(
          DB_PASSWORD_FILE, "needs DB_DSN (" + values.flag(DB_DSN) + ") to name the database");
    }
    String password = PasswordFile.read(file.get(), why -> values.invalid(DB_PASSWORD_FILE, why));
    try {
      return Optional.of(PostgresDsn.withPassword(url.get(), password));
    } catch (IllegalArgumentException e) {
      throw values.invalid(
          DB_PASSWORD_FILE,
          "DB_DSN (" + values.flag(DB_DSN) + ") carries a password too; give it in one place");
    }
  }

  private static <T> Setting<T> add(Setting<T> setting) {
    TABLE.add(setting);
    return setting;
  }
}
