package dev.orderservice.cli;

import dev.orderservice.domain.OrderChecker;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.ingest.KafkaRefusal;
import dev.orderservice.settings.InvalidSettingException;
import dev.orderservice.settings.KafkaClientConfig;
import dev.orderservice.settings.Setting;
import dev.orderservice.settings.SettingOptions;
import dev.orderservice.settings.SettingValues;
import dev.orderservice.settings.Settings;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code order-cli}: the top command and its global options, which every subcommand inherits (they
 * may be given before or after the subcommand's name). The global options are settings the CLI
 * shares with {@code order-server} ({@link Settings}), under flags of its own; each one's default
 * comes from the environment variable named in its description, as for the server.
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
      EraseCommand.class,
      ExportCommand.class,
      ReplayCommand.class,
      ProduceCommand.class,
      CommandLine.HelpCommand.class
    },
    description = {
      "Imports, validates, reads, erases, exports, replays and generates orders of the order"
          + " service, straight against its PostgreSQL and Kafka.",
      ""
    },
    modelTransformer = OrderCli.SharedSettings.class,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCode.OK + ":done: every order accepted, valid or found",
      ExitCode.FAILED
          + ":operational error: database, broker or file (one line; the stack trace with"
          + " --verbose)",
      ExitCode.REJECTED + ":some orders rejected (import, replay) or invalid (validate)",
      ExitCode.NOT_FOUND
          + ":order not found (get, erase), or no order of the customer (erase, export)",
      ExitCode.USAGE + ":invalid command line or setting (EX_USAGE, as in sysexits.h)"
    })
public final class OrderCli {

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      order = SharedSettings.COUNT,
      description = "Print the stack trace of an error.")
  boolean verbose;

  @Spec CommandSpec spec;

  /** Whether progress may be drawn in place with carriage returns. */
  private final boolean terminal;

  /** The environment, for the {@code KAFKA_CLIENT_*} variables. */
  private final Map<String, String> env;

  /** Where bytes that must reach standard output as they are go: NDJSON of an export. */
  private final OutputStream standardOutput;

  private KafkaClientConfig kafkaClients;

  OrderCli(boolean terminal, Map<String, String> env, OutputStream standardOutput) {
    this.terminal = terminal;
    this.env = Map.copyOf(env);
    this.standardOutput = Objects.requireNonNull(standardOutput, "standardOutput");
  }

  /** For picocli's tools (completion script generation); no terminal. */
  public OrderCli() {
    this(false, Map.of(), System.out);
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
    return commandLine(env, terminal, System.out);
  }

  /**
   * As {@link #commandLine(Map, boolean)}, with the bytes a command writes to standard output
   * unchanged (not through {@link CommandLine#getOut()}'s charset) going to {@code standardOutput}.
   */
  static CommandLine commandLine(
      Map<String, String> env, boolean terminal, OutputStream standardOutput) {
    Objects.requireNonNull(env, "env");
    CommandLine cli = new CommandLine(new OrderCli(terminal, env, standardOutput));
    cli.setDefaultValueProvider(SettingOptions.environment(env));
    cli.setExecutionExceptionHandler(OrderCli::failed);
    cli.setParameterExceptionHandler(OrderCli::invalidCommandLine);
    return cli;
  }

  /**
   * The JDBC URL of {@code --db}, with the password of {@code --db-password-file} if given.
   *
   * @throws CliException if none is given
   * @throws InvalidSettingException if it is not a PostgreSQL DSN, or the password file is unusable
   */
  String jdbcUrl() {
    return Settings.jdbcUrl(settings())
        .orElseThrow(
            () ->
                new CliException(
                    "no database given: set --db or DB_DSN (postgres://user:pass@host:5432/db)"));
  }

  /** The Kafka bootstrap servers: {@code --kafka}, else the embedded broker's address. */
  String kafkaServers() {
    return kafkaGiven().orElse(Settings.EMBEDDED_KAFKA);
  }

  /**
   * {@code --kafka} (or its variable), if given; else {@code bootstrap.servers} of the Kafka client
   * properties, if they name it.
   */
  Optional<String> kafkaGiven() {
    return settings().get(Settings.KAFKA_BROKER).or(() -> kafkaClients().bootstrapServers());
  }

  /**
   * The user's Kafka client properties ({@code --kafka-config}, {@code KAFKA_CLIENT_*}), read and
   * checked once; under {@code --verbose} listed on stderr, secrets hidden.
   *
   * @throws InvalidSettingException if the file cannot be read or a property is refused
   */
  KafkaClientConfig kafkaClients() {
    if (kafkaClients == null) {
      kafkaClients = KafkaClientConfig.read(settings(), env);
      if (verbose && !kafkaClients.isEmpty()) {
        spec.commandLine().getErr().println("order-cli: Kafka client settings: " + kafkaClients);
      }
    }
    return kafkaClients;
  }

  String topic() {
    return settings().get(Settings.KAFKA_TOPIC);
  }

  /** How documents are read: strict, or skipping unknown fields with {@code --unknown-fields}. */
  OrderCodec codec() {
    return settings().get(Settings.UNKNOWN_FIELDS)
        ? OrderCodec.builder().ignoreUnknownFields(true).build()
        : OrderCodec.standard();
  }

  /** The global settings as the command line and the environment gave them. */
  private SettingValues settings() {
    return SettingOptions.values(spec);
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
   * the CLI writes straight to the database and exits; a running service fills its own cache on its
   * first miss for an imported order.
   */
  OrderService service(OrderStore store, PrintWriter err) {
    return OrderService.withoutCache(store, checker(err));
  }

  boolean terminal() {
    return terminal;
  }

  /**
   * Standard output as bytes, for output that must arrive exactly as written (UTF-8 JSON), whatever
   * charset the platform would encode {@link CommandLine#getOut()} in. Not to be closed.
   */
  OutputStream standardOutput() {
    return standardOutput;
  }

  /**
   * The one place where an exception becomes a message: one line, a trace only with -v. A setting
   * that is invalid (checked as a command first reads it) is a usage error, as an invalid flag is.
   */
  private static int failed(Exception e, CommandLine cli, ParseResult parsed) {
    PrintWriter err = cli.getErr();
    err.println("order-cli: " + describe(e));
    boolean explained = e instanceof CliException || e instanceof InvalidSettingException;
    if (root(cli).verbose) {
      e.printStackTrace(err);
    } else if (!explained) {
      err.println("order-cli: run with --verbose for the details");
    }
    err.flush();
    return e instanceof InvalidSettingException ? ExitCode.USAGE : ExitCode.FAILED;
  }

  static String describe(Throwable e) {
    if (e instanceof CliException || e instanceof InvalidSettingException) {
      return e.getMessage();
    }
    if (e instanceof OrderStoreException) {
      return "the database failed: "
          + oneLine(e.getMessage())
          + " (check --db / DB_DSN and that PostgreSQL is running)";
    }
    Optional<String> refused = kafkaRefused(e);
    if (refused.isPresent()) {
      return refused.get();
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

  /**
   * If Kafka refused the client (credentials, TLS, ACLs): one sentence saying so and what to check,
   * without a secret.
   */
  static Optional<String> kafkaRefused(Throwable e) {
    return KafkaRefusal.of(e)
        .map(refusal -> refusal.sentence() + " " + KafkaClientConfig.whatToCheck(refusal.kind()));
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

  /**
   * The settings shared with the server, as global options under the CLI's own flags, in this order
   * in the help.
   */
  static final class SharedSettings implements IModelTransformer {

    /** How many there are: {@code --verbose} is listed after them. */
    static final int COUNT = 6;

    @Override
    public CommandSpec transform(CommandSpec command) {
      global(command, 0, Settings.DB_DSN, "--db");
      global(command, 1, Settings.DB_PASSWORD_FILE, "--db-password-file");
      global(command, 2, Settings.KAFKA_BROKER, "--kafka");
      global(command, 3, Settings.KAFKA_TOPIC, "--topic");
      global(command, 4, Settings.UNKNOWN_FIELDS, "--unknown-fields");
      global(command, 5, Settings.KAFKA_CONFIG_FILE, "--kafka-config");
      return command;
    }

    private static void global(CommandSpec command, int order, Setting<?> setting, String flag) {
      command.addOption(
          SettingOptions.option(setting, flag).scopeType(ScopeType.INHERIT).order(order).build());
    }
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
