package dev.orderservice.server;

import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.devstack.PostgresDsn;
import dev.orderservice.ingest.OrderIngest;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The command line of {@code order-server} (picocli): every setting is a flag whose default comes
 * from its environment variable, then from the annotation. Values are taken as strings and
 * checked in {@link #toConfig()}, so that every bad value, from a flag or from the environment,
 * gets the same one-line message. Not thread safe; one instance per parse.
 */
@Command(
    name = "order-server",
    mixinStandardHelpOptions = true,
    versionProvider = ServerOptions.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "The order service: consumes orders from Kafka, stores them in PostgreSQL, keeps them in a"
          + " cache and serves them over HTTP.",
      "Every flag can also be set by the environment variable named in its description; a flag"
          + " wins. Without DB_DSN an embedded PostgreSQL runs with its data in DATA_DIR/postgres;"
          + " without KAFKA_BROKER an embedded Kafka broker listens on 127.0.0.1:9092 with its"
          + " data in DATA_DIR/kafka.",
      ""
    })
final class ServerOptions {

  /** The environment variables of each flag, in order of preference. */
  private static final Map<String, List<String>> ENV = Map.ofEntries(
      Map.entry("--db-dsn", List.of("DB_DSN")),
      Map.entry("--db-pool-size", List.of("DB_POOL_SIZE")),
      Map.entry("--kafka-broker", List.of("KAFKA_BROKER", "KAFKA_BROKERS")),
      Map.entry("--kafka-topic", List.of("KAFKA_TOPIC")),
      Map.entry("--kafka-group", List.of("KAFKA_GROUP")),
      Map.entry("--kafka-dlq-topic", List.of("KAFKA_DLQ_TOPIC")),
      Map.entry("--kafka-instance-id", List.of("KAFKA_INSTANCE_ID")),
      Map.entry("--kafka-session-timeout", List.of("KAFKA_SESSION_TIMEOUT")),
      Map.entry("--http-addr", List.of("HTTP_ADDR")),
      Map.entry("--cache-max-entries", List.of("CACHE_MAX_ENTRIES")),
      Map.entry("--api-token", List.of("API_TOKEN")),
      Map.entry("--protect-reads", List.of("PROTECT_READS")),
      Map.entry("--stream-heartbeat", List.of("STREAM_HEARTBEAT")),
      Map.entry("--data-dir", List.of("DATA_DIR")),
      Map.entry("--log-format", List.of("LOG_FORMAT")),
      Map.entry("--access-log", List.of("ACCESS_LOG")),
      Map.entry("--unknown-fields", List.of("UNKNOWN_FIELDS")));

  private static final Pattern HOST_PORT =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.%]+)]|([^\\s:\\[\\]]*)):([0-9]+)");
  private static final Pattern BROKER =
      Pattern.compile("(?:[A-Za-z_]+://)?(?:\\[[0-9A-Fa-f:.%]+]|[A-Za-z0-9._-]+):([0-9]+)");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");
  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,249}");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)?");

  @Option(names = "--db-dsn", paramLabel = "DSN",
      description = "PostgreSQL: postgres://user:pass@host:5432/db?sslmode=disable or a"
          + " jdbc:postgresql: URL (env DB_DSN). Default: embedded.")
  String dbDsn;

  @Option(names = "--db-pool-size", paramLabel = "N", defaultValue = "8",
      description = "Most connections to PostgreSQL, shared by the ingest, the lookups that miss"
          + " the cache and the rest; as many HTTP worker threads run database reads"
          + " (env DB_POOL_SIZE). Default: ${DEFAULT-VALUE}.")
  String dbPoolSize;

  @Option(names = "--kafka-broker", paramLabel = "HOST:PORT[,...]",
      description = "Kafka bootstrap servers (env KAFKA_BROKER or KAFKA_BROKERS)."
          + " Default: embedded broker on 127.0.0.1:9092.")
  String kafkaBroker;

  @Option(names = "--kafka-topic", paramLabel = "TOPIC", defaultValue = OrderIngest.DEFAULT_TOPIC,
      description = "Topic of order documents (env KAFKA_TOPIC). Default: ${DEFAULT-VALUE}.")
  String kafkaTopic;

  @Option(names = "--kafka-group", paramLabel = "GROUP",
      defaultValue = OrderIngest.DEFAULT_GROUP_ID,
      description = "Kafka consumer group (env KAFKA_GROUP). Default: ${DEFAULT-VALUE}.")
  String kafkaGroup;

  @Option(names = "--kafka-dlq-topic", paramLabel = "TOPIC",
      description = "Where rejected records go (env KAFKA_DLQ_TOPIC). Default: the topic's"
          + " name + \".dlq\", e.g. orders.dlq.")
  String kafkaDlqTopic;

  @Option(names = "--kafka-instance-id", paramLabel = "ID",
      description = "This instance's static membership in the group (env KAFKA_INSTANCE_ID):"
          + " restarted with the same id within the session timeout, it gets its partitions back"
          + " at once. Unique per instance; \"none\" for a dynamic member. Default: HOST-PORT"
          + " (the host name and the HTTP port); a dynamic member when the HTTP port is 0.")
  String kafkaInstanceId;

  @Option(names = "--kafka-session-timeout", paramLabel = "DURATION", defaultValue = "45s",
      description = "How long the group waits for a member that stopped before its partitions"
          + " go to the others, e.g. 45s, 2m, 10000ms (env KAFKA_SESSION_TIMEOUT). Shorter: an"
          + " instance scaled down or gone for good is replaced sooner; longer: a restart has more"
          + " time to get its partitions back without a rebalance. Default: ${DEFAULT-VALUE}.")
  String kafkaSessionTimeout;

  @Option(names = "--http-addr", paramLabel = "[HOST]:PORT", defaultValue = ":8080",
      description = "HTTP listen address; no host means every interface, port 0 a free port"
          + " (env HTTP_ADDR). Default: ${DEFAULT-VALUE}.")
  String httpAddr;

  @Option(names = "--cache-max-entries", paramLabel = "N",
      description = "Most orders the cache holds (env CACHE_MAX_ENTRIES). Default: as many as"
          + " about 256 MiB of canonical JSON.")
  String cacheMaxEntries;

  @Option(names = "--api-token", paramLabel = "TOKEN",
      description = "Bearer token required by the write endpoints (env API_TOKEN)."
          + " Default: none, writes are open.")
  String apiToken;

  @Option(names = "--protect-reads", paramLabel = "true|false", defaultValue = "false",
      description = "Whether reading orders (GET /orders/{order_uid}, GET /orders, the live feed"
          + " GET /orders/stream and GET /orders/events) needs the API_TOKEN as well; needs"
          + " API_TOKEN. The page, health, metrics and the contract stay open"
          + " (env PROTECT_READS). Default: ${DEFAULT-VALUE}.")
  String protectReads;

  @Option(names = "--stream-heartbeat", paramLabel = "DURATION", defaultValue = "15s",
      description = "How often the live stream (GET /orders/stream) sends a comment line, so"
          + " that proxies keep an idle stream open, e.g. 15s, 1m, 500ms"
          + " (env STREAM_HEARTBEAT). Default: ${DEFAULT-VALUE}.")
  String streamHeartbeat;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./data",
      description = "Where the embedded servers keep their data (env DATA_DIR)."
          + " Default: ${DEFAULT-VALUE}.")
  String dataDir;

  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
      description = "How log lines look on stdout: text, or one JSON object per line with logger,"
          + " level, message, thread and MDC (env LOG_FORMAT). Default: ${DEFAULT-VALUE}.")
  String logFormat;

  @Option(names = "--access-log", paramLabel = "true|false", defaultValue = "false",
      description = "Log one line per HTTP request: method, route template, status, duration"
          + " (env ACCESS_LOG). Default: ${DEFAULT-VALUE}.")
  String accessLog;

  @Option(names = "--unknown-fields", paramLabel = "reject|ignore", defaultValue = "reject",
      description = "Fields the order model does not know (env UNKNOWN_FIELDS): reject the order"
          + " (it goes to the dead-letter topic, or a 400), or ignore them: the order is stored"
          + " without them and each field name is logged once and counted. Default:"
          + " ${DEFAULT-VALUE}.")
  String unknownFields;

  /** The environment the defaults come from; also names the host. */
  private Map<String, String> env = Map.of();

  /** A command line over fresh options whose defaults come from {@code env}. */
  static CommandLine commandLine(Map<String, String> env) {
    ServerOptions options = new ServerOptions();
    options.env = Map.copyOf(env);
    CommandLine cli = new CommandLine(options);
    cli.setDefaultValueProvider(argSpec -> fromEnvironment(argSpec, env));
    return cli;
  }

  /**
   * Reads {@code args} over {@code env}, without checking the values yet.
   *
   * @throws IllegalArgumentException for an unknown flag or a flag without its value
   */
  static ServerOptions parse(String[] args, Map<String, String> env) {
    return parse(commandLine(env), args);
  }

  static ServerOptions parse(CommandLine cli, String[] args) {
    try {
      cli.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + " (see --help)", e);
    }
    return cli.getCommand();
  }

  /**
   * Checks every value and builds the config.
   *
   * @throws IllegalArgumentException for the first invalid value, as {@link ServerConfig#parse}
   *     describes
   */
  ServerConfig toConfig() {
    Optional<String> jdbcUrl = present(dbDsn).map(this::jdbcUrl);
    Optional<String> brokers = present(kafkaBroker).map(ServerOptions::brokers);
    Matcher http = httpAddress();
    String host = http.group(1) != null ? http.group(1) : http.group(2);
    int port = Integer.parseInt(http.group(3));
    String topic = topic();
    Optional<String> token = present(apiToken).map(ServerOptions::token);
    return new ServerConfig(
        jdbcUrl,
        poolSize(),
        brokers,
        topic,
        deadLetterTopic(topic),
        group(),
        instanceId(port),
        sessionTimeout(),
        host.isEmpty() ? "0.0.0.0" : host,
        port,
        cacheEntries(),
        token,
        protectReads(token),
        duration("--stream-heartbeat", streamHeartbeat, Duration.ofMillis(100),
            Duration.ofMinutes(10), "expected a duration from 100ms to 10m, e.g. 15s, 1m or 500ms"),
        dataDirectory(),
        logFormat(),
        flag("--access-log", accessLog),
        ignoreUnknownFields());
  }

  private String jdbcUrl(String dsn) {
    try {
      return PostgresDsn.toJdbcUrl(dsn);
    } catch (IllegalArgumentException e) {
      // The DSN may hold a password: name the setting, not the value. PostgresDsn's message
      // never repeats a password.
      throw invalid("--db-dsn", null, e.getMessage());
    }
  }

  private int poolSize() {
    try {
      int size = Integer.parseInt(dbPoolSize.strip());
      if (size >= 2 && size <= 1_000) {
        return size;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("--db-pool-size", dbPoolSize,
        "must be a whole number 2..1000 (the ingest and the HTTP lookups each need one)");
  }

  private static String brokers(String value) {
    for (String broker : value.split(",", -1)) {
      Matcher m = BROKER.matcher(broker.strip());
      if (!m.matches()) {
        throw invalid("--kafka-broker", value, "expected HOST:PORT[,HOST:PORT...]");
      }
      int port = Integer.parseInt(m.group(1).length() > 5 ? "99999" : m.group(1));
      if (port < 1 || port > 65_535) {
        throw invalid("--kafka-broker", value, "port must be 1..65535");
      }
    }
    return value.strip();
  }

  private String topic() {
    String topic = kafkaTopic.strip();
    if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw invalid("--kafka-topic", kafkaTopic,
          "a topic name is 1..249 characters of [A-Za-z0-9._-], not \".\" or \"..\"");
    }
    return topic;
  }

  private String deadLetterTopic(String topic) {
    if (kafkaDlqTopic == null || kafkaDlqTopic.isBlank()) {
      return OrderIngest.defaultDeadLetterTopic(topic);
    }
    String dlq = kafkaDlqTopic.strip();
    if (!TOPIC.matcher(dlq).matches() || dlq.equals(".") || dlq.equals("..")) {
      throw invalid("--kafka-dlq-topic", kafkaDlqTopic,
          "a topic name is 1..249 characters of [A-Za-z0-9._-], not \".\" or \"..\"");
    }
    if (dlq.equals(topic)) {
      throw invalid("--kafka-dlq-topic", kafkaDlqTopic,
          "must differ from the topic of orders, or rejected records would be read again");
    }
    return dlq;
  }

  /** The static member id: as given, "none" for none, else HOST-PORT unless the port is 0. */
  private Optional<String> instanceId(int httpPort) {
    if (kafkaInstanceId != null && !kafkaInstanceId.isBlank()) {
      String id = kafkaInstanceId.strip();
      if (id.equalsIgnoreCase("none")) {
        return Optional.empty();
      }
      if (!INSTANCE_ID.matcher(id).matches()) {
        throw invalid("--kafka-instance-id", kafkaInstanceId,
            "1..249 characters of [A-Za-z0-9._:-], or none");
      }
      return Optional.of(id);
    }
    if (httpPort == 0) {
      return Optional.empty(); // a port picked at each start would give a new id each start
    }
    return Optional.of(HostName.local(env) + "-" + httpPort);
  }

  private Duration sessionTimeout() {
    return duration("--kafka-session-timeout", kafkaSessionTimeout, Duration.ofSeconds(1),
        Duration.ofMinutes(30), "expected a duration from 1s to 30m, e.g. 45s, 2m or 10000ms");
  }

  /** {@code value} as a duration ({@code 45s}, {@code 2m}, {@code 500ms}; seconds without a unit). */
  private static Duration duration(
      String flag, String value, Duration min, Duration max, String expected) {
    Matcher m = DURATION.matcher(value.strip());
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      Duration duration = switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount);
      };
      if (duration.compareTo(min) >= 0 && duration.compareTo(max) <= 0) {
        return duration;
      }
    }
    throw invalid(flag, value, expected);
  }

  /** PROTECT_READS, which needs a token to protect the reads with. */
  private boolean protectReads(Optional<String> token) {
    boolean protect = flag("--protect-reads", protectReads);
    if (protect && token.isEmpty()) {
      throw invalid("--protect-reads", protectReads,
          "needs API_TOKEN (--api-token): reads are protected by the same bearer token");
    }
    return protect;
  }

  private String group() {
    if (kafkaGroup.isBlank()) {
      throw invalid("--kafka-group", kafkaGroup, "must not be blank");
    }
    return kafkaGroup.strip();
  }

  private Matcher httpAddress() {
    Matcher m = HOST_PORT.matcher(httpAddr.strip());
    if (!m.matches()) {
      throw invalid("--http-addr", httpAddr, "expected [HOST]:PORT, e.g. :8080 or 127.0.0.1:8080");
    }
    String port = m.group(3);
    if (port.length() > 5 || Integer.parseInt(port) > 65_535) {
      throw invalid("--http-addr", httpAddr, "port must be 0..65535");
    }
    return m;
  }

  private long cacheEntries() {
    if (cacheMaxEntries == null || cacheMaxEntries.isBlank()) {
      return EhcacheOrderCache.DEFAULT_MAX_ENTRIES;
    }
    try {
      long entries = Long.parseLong(cacheMaxEntries.strip());
      if (entries >= 0) {
        return entries; // 0 disables the cache
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("--cache-max-entries", cacheMaxEntries, "must be a whole number >= 0 (0 disables the cache)");
  }

  private LogFormat logFormat() {
    try {
      return LogFormat.valueOf(logFormat.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw invalid("--log-format", logFormat, "expected text or json");
    }
  }

  private boolean ignoreUnknownFields() {
    String mode = unknownFields.strip().toLowerCase(java.util.Locale.ROOT);
    if (!mode.equals("reject") && !mode.equals("ignore")) {
      throw invalid("--unknown-fields", unknownFields, "expected reject or ignore");
    }
    return mode.equals("ignore");
  }

  private static boolean flag(String name, String value) {
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return v.equals("true");
    }
    throw invalid(name, value, "expected true or false");
  }

  private static String token(String value) {
    if (!TOKEN.matcher(value).matches()) {
      throw invalid("--api-token", null,
          "must be printable ASCII without spaces (it travels in an Authorization header)");
    }
    return value;
  }

  private Path dataDirectory() {
    try {
      return Path.of(dataDir.strip());
    } catch (InvalidPathException e) {
      throw invalid("--data-dir", dataDir, "not a valid path: " + e.getReason());
    }
  }

  /** {@code invalid VAR (--flag) "value": why}; {@code value} null for secrets. */
  private static IllegalArgumentException invalid(String flag, String value, String why) {
    StringBuilder message = new StringBuilder("invalid ")
        .append(ENV.get(flag).get(0)).append(" (").append(flag).append(')');
    if (value != null) {
      message.append(" \"").append(printable(value)).append('"');
    }
    return new IllegalArgumentException(message.append(": ").append(why).toString());
  }

  /** Keeps an echoed value on one line and short. */
  private static String printable(String value) {
    String oneLine = value.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
  }

  private static Optional<String> present(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  private static String fromEnvironment(ArgSpec argSpec, Map<String, String> env) {
    if (!(argSpec instanceof OptionSpec option)) {
      return null;
    }
    for (String variable : ENV.getOrDefault(option.longestName(), List.of())) {
      String value = env.get(variable);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null; // picocli's contract: null means "no default here", use the annotation's
  }

  /** {@code --version}: the jar's Implementation-Version, or "development" from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"order-server " + (version == null ? "development" : version)};
    }
  }
}
