package dev.orderservice.cli;

import dev.orderservice.devstack.PostgresDsn;
import dev.orderservice.domain.OrderChecker;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.ingest.OrderIngest;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code order-cli}: the top command and its global options, which every subcommand inherits (they
 * may be given before or after the subcommand's name). A global option's default comes from the
 * environment variable named in its description, as for {@code order-server}.
 *
 * <p>Build the command line with {@link #commandLine(Map, boolean)}: it installs the environment
 * defaults and the one place where failures become messages and exit codes ({@link ExitCode}). Not
 * thread safe; one instance per run.
 */
@Command(
    name = "order-cli",
    mixinStandardHelpOptions = true,
    versionProvider = OrderCli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    subcommands = {
      ImportCommand.class,
      ValidateCommand.class,
      GetCommand.class,
      ReplayCommand.class,
      ProduceCommand.class,
      CommandLine.HelpCommand.class
    },
    description = {
      "Imports, validates, reads, replays and generates orders of the order service, straight"
          + " against its PostgreSQL and Kafka.",
      ""
    },
    footer = {
      "",
      "Exit codes: 0 done; 1 operational error (database, broker, file); 2 some orders rejected"
          + " (or invalid, for validate), or an invalid command line; 3 order not found (get)."
    })
public final class OrderCli {

  /** The Kafka bootstrap servers when neither --kafka nor KAFKA_BROKER is set: the embedded one. */
  static final String DEFAULT_KAFKA = "127.0.0.1:9092";

  /** The environment variables of each option that has one, in order of preference. */
  private static final Map<String, List<String>> ENV =
      Map.of(
          "--db", List.of("DB_DSN"),
          "--kafka", List.of("KAFKA_BROKER", "KAFKA_BROKERS"),
          "--topic", List.of("KAFKA_TOPIC"),
          "--dlq-topic", List.of("KAFKA_DLQ_TOPIC"),
          "--unknown-fields", List.of("UNKNOWN_FIELDS"));

  @Option(
      names = "--db",
      paramLabel = "DSN",
      scope = ScopeType.INHERIT,
      description =
          "PostgreSQL: postgres://user:pass@host:5432/db or a jdbc:postgresql: URL"
              + " (env DB_DSN).")
  String db;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT[,...]",
      scope = ScopeType.INHERIT,
      description =
          "Kafka bootstrap servers (env KAFKA_BROKER or KAFKA_BROKERS). Default: "
              + DEFAULT_KAFKA
              + ", the embedded broker of order-server.")
  String kafka;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      scope = ScopeType.INHERIT,
      defaultValue = OrderIngest.DEFAULT_TOPIC,
      description = "The topic of orders (env KAFKA_TOPIC). Default: ${DEFAULT-VALUE}.")
  String topic;

  @Option(
      names = "--unknown-fields",
      paramLabel = "reject|ignore",
      scope = ScopeType.INHERIT,
      defaultValue = "reject",
      description =
          "Fields the order model does not know (env UNKNOWN_FIELDS): reject the document, as the"
              + " server does by default, or ignore them (the order is read without them; each"
              + " field name is noted once on stderr). Default: ${DEFAULT-VALUE}.")
  String unknownFields;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error.")
  boolean verbose;

  /** Whether progress may be drawn in place with carriage returns. */
  private final boolean terminal;

  OrderCli(boolean terminal) {
    this.terminal = terminal;
  }

  /** For picocli's tools (completion script generation); no terminal. */
  public OrderCli() {
    this(false);
  }

  /** The command line for {@code main}: the process environment, a terminal if there is one. */
  public static CommandLine commandLine() {
    return commandLine(System.getenv(), System.console() != null);
  }

  /**
   * The command line with the global options' defaults read from {@code env}, and the handlers that
   * turn every failure into one line on stderr and an exit code.
   *
   * @param terminal whether stderr is a terminal, so progress may be redrawn in place
   */
  static CommandLine commandLine(Map<String, String> env, boolean terminal) {
    Objects.requireNonNull(env, "env");
    CommandLine cli = new CommandLine(new OrderCli(terminal));
    cli.setDefaultValueProvider(argSpec -> fromEnvironment(argSpec, env));
    cli.setExecutionExceptionHandler(OrderCli::failed);
    cli.setParameterExceptionHandler(OrderCli::invalidCommandLine);
    return cli;
  }

  /** The JDBC URL of {@code --db}. */
  String jdbcUrl() {
    if (db == null || db.isBlank()) {
      throw new CliException(
          "no database given: set --db or DB_DSN (postgres://user:pass@host:5432/db)");
    }
    try {
      return PostgresDsn.toJdbcUrl(db);
    } catch (IllegalArgumentException e) {
      throw new CliException("invalid DB_DSN (--db): " + e.getMessage());
    }
  }

  /** The Kafka bootstrap servers: {@code --kafka}, else the embedded broker's address. */
  String kafkaServers() {
    return kafkaGiven().orElse(DEFAULT_KAFKA);
  }

  /** {@code --kafka} (or its variable), if given. */
  Optional<String> kafkaGiven() {
    return kafka == null || kafka.isBlank() ? Optional.empty() : Optional.of(kafka.strip());
  }

  String topic() {
    return topic.strip();
  }

  /** How documents are read: strict, or skipping unknown fields with {@code --unknown-fields}. */
  OrderCodec codec() {
    String mode = unknownFields.strip().toLowerCase(Locale.ROOT);
    if (!mode.equals("reject") && !mode.equals("ignore")) {
      throw new CliException(
          "invalid UNKNOWN_FIELDS (--unknown-fields) \""
              + unknownFields
              + "\": expected reject"
              + " or ignore");
    }
    return mode.equals("ignore")
        ? OrderCodec.builder().ignoreUnknownFields(true).build()
        : OrderCodec.standard();
  }

  /**
   * The service's reading and checking, needing no store: documents read as {@code
   * --unknown-fields} says; a skipped field is noted once per name on {@code err}.
   */
  OrderChecker checker(PrintWriter err) {
    return new OrderChecker(new OrderValidator(), codec(), new IgnoredFieldNotes(err));
  }

  /**
   * The service's use cases over {@code store}, checking as {@link #checker} does, with no cache:
   * the CLI writes straight to the database and exits; a running service fills its own cache on
   * its first miss for an imported order.
   */
  OrderService service(OrderStore store, PrintWriter err) {
    return OrderService.withoutCache(store, checker(err));
  }

  boolean terminal() {
    return terminal;
  }

  /** The one place where an exception becomes a message: one line, a trace only with -v. */
  private static int failed(Exception e, CommandLine cli, ParseResult parsed) {
    PrintWriter err = cli.getErr();
    err.println("order-cli: " + describe(e));
    if (root(cli).verbose) {
      e.printStackTrace(err);
    } else if (!(e instanceof CliException)) {
      err.println("order-cli: run with --verbose for the details");
    }
    err.flush();
    return ExitCode.FAILED;
  }

  static String describe(Throwable e) {
    if (e instanceof CliException) {
      return e.getMessage();
    }
    if (e instanceof OrderStoreException) {
      return "the database failed: "
          + oneLine(e.getMessage())
          + " (check --db / DB_DSN and that PostgreSQL is running)";
    }
    if (e instanceof org.apache.kafka.common.KafkaException) {
      return "Kafka failed: "
          + oneLine(e.getMessage())
          + " (check --kafka / KAFKA_BROKER and that the broker is running)";
    }
    if (e instanceof UncheckedIOException) {
      return oneLine(e.getMessage());
    }
    return oneLine(e.toString());
  }

  private static int invalidCommandLine(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println(
        "order-cli: "
            + oneLine(e.getMessage())
            + " (see "
            + cli.getCommandSpec().qualifiedName()
            + " --help)");
    err.flush();
    return ExitCode.USAGE;
  }

  private static OrderCli root(CommandLine cli) {
    CommandLine top = cli;
    while (top.getParent() != null) {
      top = top.getParent();
    }
    return top.getCommand();
  }

  static String oneLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
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
    return null; // picocli's contract: no default here, use the annotation's
  }

  /** {@code --version}: the jar's Implementation-Version, or "development" from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = OrderCli.class.getPackage().getImplementationVersion();
      return new String[] {"order-cli " + (version == null ? "development" : version)};
    }
  }
}
