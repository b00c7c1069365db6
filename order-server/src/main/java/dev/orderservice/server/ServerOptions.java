package dev.orderservice.server;

import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.devstack.PostgresDsn;
import dev.orderservice.ingest.OrderIngest;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
  private static final Map<String, List<String>> ENV = Map.of(
      "--db-dsn", List.of("DB_DSN"),
      "--db-pool-size", List.of("DB_POOL_SIZE"),
      "--kafka-broker", List.of("KAFKA_BROKER", "KAFKA_BROKERS"),
      "--kafka-topic", List.of("KAFKA_TOPIC"),
      "--kafka-group", List.of("KAFKA_GROUP"),
      "--http-addr", List.of("HTTP_ADDR"),
      "--cache-max-entries", List.of("CACHE_MAX_ENTRIES"),
      "--api-token", List.of("API_TOKEN"),
      "--data-dir", List.of("DATA_DIR"));

  private static final Pattern HOST_PORT =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.%]+)]|([^\\s:\\[\\]]*)):([0-9]+)");
  private static final Pattern BROKER =
      Pattern.compile("(?:[A-Za-z_]+://)?(?:\\[[0-9A-Fa-f:.%]+]|[A-Za-z0-9._-]+):([0-9]+)");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");

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

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./data",
      description = "Where the embedded servers keep their data (env DATA_DIR)."
          + " Default: ${DEFAULT-VALUE}.")
  String dataDir;

  /** A command line over fresh options whose defaults come from {@code env}. */
  static CommandLine commandLine(Map<String, String> env) {
    CommandLine cli = new CommandLine(new ServerOptions());
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
    return new ServerConfig(
        jdbcUrl,
        poolSize(),
        brokers,
        topic(),
        group(),
        host.isEmpty() ? "0.0.0.0" : host,
        Integer.parseInt(http.group(3)),
        cacheEntries(),
        present(apiToken).map(ServerOptions::token),
        dataDirectory());
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
