package dev.orderservice.server.config;

import static dev.orderservice.settings.Settings.ACCESS_LOG;
import static dev.orderservice.settings.Settings.API_TOKEN;
import static dev.orderservice.settings.Settings.CACHE_MAX_ENTRIES;
import static dev.orderservice.settings.Settings.DATA_DIR;
import static dev.orderservice.settings.Settings.DB_POOL_SIZE;
import static dev.orderservice.settings.Settings.HTTP_ADDR;
import static dev.orderservice.settings.Settings.KAFKA_BROKER;
import static dev.orderservice.settings.Settings.KAFKA_DLQ_RETENTION;
import static dev.orderservice.settings.Settings.KAFKA_GROUP;
import static dev.orderservice.settings.Settings.KAFKA_GROUP_PROTOCOL;
import static dev.orderservice.settings.Settings.KAFKA_INSTANCE_ID;
import static dev.orderservice.settings.Settings.KAFKA_SESSION_TIMEOUT;
import static dev.orderservice.settings.Settings.KAFKA_TOPIC;
import static dev.orderservice.settings.Settings.LOG_FORMAT;
import static dev.orderservice.settings.Settings.PROTECT_READS;
import static dev.orderservice.settings.Settings.RETENTION;
import static dev.orderservice.settings.Settings.RETENTION_ACTION;
import static dev.orderservice.settings.Settings.STREAM_HEARTBEAT;
import static dev.orderservice.settings.Settings.UNKNOWN_FIELDS;

import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.persistence.OrderRetention;
import dev.orderservice.settings.KafkaClientConfig;
import dev.orderservice.settings.SettingOptions;
import dev.orderservice.settings.SettingValues;
import dev.orderservice.settings.Settings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The command line of {@code order-server} (picocli): every setting of {@link Settings} is a flag
 * under its own name, whose default comes from its environment variable, then from the table.
 * Values are checked as {@link #toConfig()} reads them, so that every bad value, from a flag or
 * from the environment, gets the same one-line message. Not thread safe; one instance per parse.
 */
@Command(
    name = "order-server",
    mixinStandardHelpOptions = true,
    versionProvider = ServerOptions.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    modelTransformer = ServerOptions.EverySetting.class,
    description = {
      "The order service: consumes orders from Kafka, stores them in PostgreSQL, keeps them in a"
          + " cache and serves them over HTTP.",
      "Every flag can also be set by the environment variable named in its description; a flag"
          + " wins. Without DB_DSN an embedded PostgreSQL runs with its data in DATA_DIR/postgres;"
          + " without KAFKA_BROKER an embedded Kafka broker listens on "
          + Settings.EMBEDDED_KAFKA
          + " with its data in DATA_DIR/kafka.",
      ""
    })
public final class ServerOptions {

  @Spec CommandSpec spec;

  /** The environment the defaults come from; also names the host. */
  private Map<String, String> env = Map.of();

  private ServerOptions() {}

  /**
   * Reads the settings from {@code args} (flags) over {@code env} (environment variables). {@code
   * --help} and {@code --version} are accepted and ignored here; the server's {@code Main} acts on
   * them.
   *
   * @throws IllegalArgumentException for an unknown flag or an invalid value; the message is one
   *     line naming the variable and the flag, the value (unless secret) and what is wrong, e.g.
   *     {@code invalid HTTP_ADDR (--http-addr) ":99999": port must be 0..65535}
   */
  public static ServerConfig parse(String[] args, Map<String, String> env) {
    return read(commandLine(env), args).toConfig();
  }

  /** A command line over fresh options whose defaults come from {@code env}. */
  public static CommandLine commandLine(Map<String, String> env) {
    ServerOptions options = new ServerOptions();
    options.env = Map.copyOf(env);
    CommandLine cli = new CommandLine(options);
    cli.setDefaultValueProvider(SettingOptions.environment(env));
    return cli;
  }

  /**
   * Reads {@code args} with {@code cli}, without checking the values yet.
   *
   * @throws IllegalArgumentException for an unknown flag or a flag without its value
   */
  public static ServerOptions read(CommandLine cli, String[] args) {
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
   * @throws dev.orderservice.settings.InvalidSettingException for the first invalid value, as
   *     {@link #parse} describes
   */
  public ServerConfig toConfig() {
    SettingValues values = SettingOptions.values(spec);
    InetSocketAddress http = values.get(HTTP_ADDR);
    Optional<String> token = values.get(API_TOKEN);
    KafkaClientConfig kafkaClients = KafkaClientConfig.read(values, env);
    return new ServerConfig(
        Settings.jdbcUrl(values),
        values.get(DB_POOL_SIZE),
        // A managed service's client file names its brokers: used when KAFKA_BROKER is unset.
        values.get(KAFKA_BROKER).or(kafkaClients::bootstrapServers),
        values.get(KAFKA_TOPIC),
        Settings.deadLetterTopic(values),
        values.get(KAFKA_GROUP),
        instanceId(values, http.getPort()),
        values.get(KAFKA_GROUP_PROTOCOL),
        sessionTimeout(values),
        values.get(KAFKA_DLQ_RETENTION),
        http.getHostString(),
        http.getPort(),
        values.get(CACHE_MAX_ENTRIES).orElse(EhcacheOrderCache.DEFAULT_MAX_ENTRIES),
        token,
        protectReads(values, token),
        values.get(STREAM_HEARTBEAT),
        values.get(DATA_DIR),
        LogFormat.valueOf(values.get(LOG_FORMAT).toUpperCase(Locale.ROOT)),
        values.get(ACCESS_LOG),
        values.get(UNKNOWN_FIELDS),
        kafkaClients,
        values.get(RETENTION),
        OrderRetention.Action.valueOf(values.get(RETENTION_ACTION).toUpperCase(Locale.ROOT)),
        otelVariables());
  }

  /** OpenTelemetry's own variables, read by its SDK (Tracing), not by this table. */
  private Map<String, String> otelVariables() {
    Map<String, String> otel = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_")) {
            otel.put(name, value);
          }
        });
    return otel;
  }

  /** The static member id: as given, "none" for none, else HOST-PORT unless the port is 0. */
  private Optional<String> instanceId(SettingValues values, int httpPort) {
    Optional<String> given = values.get(KAFKA_INSTANCE_ID);
    if (given.isPresent()) {
      return given.get().equalsIgnoreCase("none") ? Optional.empty() : given;
    }
    if (httpPort == 0) {
      return Optional.empty(); // a port picked at each start would give a new id each start
    }
    return Optional.of(HostName.local(env) + "-" + httpPort);
  }

  /**
   * KAFKA_SESSION_TIMEOUT, which the consumer group protocol leaves to the broker: given with it,
   * it is refused rather than ignored.
   */
  private Duration sessionTimeout(SettingValues values) {
    Duration timeout = values.get(KAFKA_SESSION_TIMEOUT);
    boolean given =
        env.containsKey(KAFKA_SESSION_TIMEOUT.variable())
            || spec.commandLine()
                .getParseResult()
                .hasMatchedOption(values.flag(KAFKA_SESSION_TIMEOUT));
    if (given && values.get(KAFKA_GROUP_PROTOCOL).equals("consumer")) {
      throw values.invalid(
          KAFKA_SESSION_TIMEOUT,
          "the consumer group protocol takes the broker's session timeout"
              + " (group.consumer.session.timeout.ms); unset it, or use "
              + KAFKA_GROUP_PROTOCOL.variable()
              + "=classic");
    }
    return timeout;
  }

  /** PROTECT_READS, which needs a token to protect the reads with. */
  private static boolean protectReads(SettingValues values, Optional<String> token) {
    boolean protect = values.get(PROTECT_READS);
    if (protect && token.isEmpty()) {
      throw values.invalid(
          PROTECT_READS,
          "needs "
              + API_TOKEN.variable()
              + " ("
              + values.flag(API_TOKEN)
              + "): reads are protected by the same bearer token");
    }
    return protect;
  }

  /** Adds every setting of the table, under its own flag. */
  static final class EverySetting implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      Settings.all().forEach(setting -> command.addOption(SettingOptions.option(setting).build()));
      return command;
    }
  }

  /** {@code --version}: the jar's Implementation-Version, or "development" from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = ServerOptions.class.getPackage().getImplementationVersion();
      return new String[] {"order-server " + (version == null ? "development" : version)};
    }
  }
}
