package dev.orderservice.testsupport;

import dev.orderservice.devstack.DevstackException;
import dev.orderservice.devstack.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming-replication standby of a running {@link EmbeddedPostgres}, started from Java without
 * Docker: the primary's files copied online ({@link PostgresFileCopy#ofRunning}, holding a
 * replication slot named after the standby), {@code standby.signal} and {@code primary_conninfo}
 * added, and a second {@code EmbeddedPostgres} started on the copy, on a port of its own. The
 * primary needs nothing special: PostgreSQL's defaults ({@code wal_level=replica}, ten WAL senders)
 * and initdb's {@code pg_hba.conf} ({@code host replication all 127.0.0.1/32 trust}) allow it.
 *
 * <p>Replication is asynchronous, as by default: what the primary acknowledged may not have reached
 * the standby. A test interrupts it with {@link #disconnect()} (the standby stays up, read-only,
 * and keeps what it has) or {@link #stop()}, crashes the primary with {@link
 * PostgresCrash#sigkill}, then {@link #promote()}s the standby: the failover of a managed
 * PostgreSQL or Patroni that loses the last commits. {@link #multiHostJdbcUrl(String)} is the URL a
 * service uses to follow it.
 *
 * <p>Not thread-safe; use from the test's thread. Every call blocks until done (a few seconds at
 * most, bounded). {@link #close()} stops the standby and deletes its files.
 */
public final class StreamingStandby implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamingStandby.class);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EmbeddedPostgres primary;
  private final String name;
  private final Path root;
  private final EmbeddedPostgres server;

  private StreamingStandby(EmbeddedPostgres primary, String name, Path root) {
    this.primary = primary;
    this.name = name;
    this.root = root;
    this.server =
        EmbeddedPostgres.builder()
            .dataDirectory(root.resolve("data"))
            // Throw-away, like the primary of the tests: durability buys nothing here.
            .setting("fsync", "off")
            .setting("synchronous_commit", "off")
            .build();
  }

  /**
   * Copies the running {@code primary}, starts a standby on the copy and waits until it streams.
   *
   * @param name the standby's {@code application_name} and replication slot; letters, digits and
   *     {@code _}
   * @throws IllegalStateException if it does not stream within 30 s
   */
  public static StreamingStandby start(EmbeddedPostgres primary, String name) {
    if (!name.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("standby name must be [a-z0-9_]+: " + name);
    }
    Path root;
    try {
      root = Files.createTempDirectory("order-standby-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StreamingStandby standby = new StreamingStandby(primary, name, root);
    try {
      Path data = PostgresFileCopy.ofRunning(primary, root.resolve("data"), name);
      Files.writeString(
          data.resolve("postgresql.auto.conf"),
          "\nprimary_conninfo = 'host=127.0.0.1 port="
              + primary.port()
              + " user="
              + primary.user()
              + " application_name="
              + name
              + "'\nprimary_slot_name = '"
              + name
              + "'\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      Files.writeString(data.resolve("standby.signal"), "", StandardCharsets.UTF_8);
      standby.server.start();
      standby.awaitStreaming();
    } catch (IOException | RuntimeException e) {
      standby.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    LOG.info("standby {} of {} streams, on port {}", name, primary, standby.port());
    return standby;
  }

  /** The standby's server. */
  public EmbeddedPostgres server() {
    return server;
  }

  /** The standby's port on 127.0.0.1. */
  public int port() {
    return server.port();
  }

  /**
   * {@code jdbc:postgresql://127.0.0.1:PRIMARY,127.0.0.1:STANDBY/database?targetServerType=primary}
   * with the user: connections go to whichever of the two accepts writes. {@code
   * hostRecheckSeconds=1} lets pgjdbc notice the promoted standby within a second instead of its
   * default ten.
   */
  public String multiHostJdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:"
        + primary.port()
        + ",127.0.0.1:"
        + port()
        + "/"
        + database
        + "?targetServerType=primary&hostRecheckSeconds=1&user="
        + primary.user();
  }

  /** A connection to {@code database} on the standby alone (read-only until promoted). */
  public Connection connect(String database) throws SQLException {
    Properties login = new Properties();
    login.setProperty("user", server.user());
    login.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(server.jdbcUrl(database), login);
  }

  /** Whether the primary reports this standby as streaming ({@code pg_stat_replication}). */
  public boolean isStreaming() {
    Properties login = new Properties();
    login.setProperty("user", primary.user());
    login.setProperty("connectTimeout", "5");
    try (Connection connection = DriverManager.getConnection(primary.jdbcUrl("postgres"), login);
        PreparedStatement statement =
            connection.prepareStatement(
                "select count(*) from pg_stat_replication"
                    + " where application_name = ? and state = 'streaming'")) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Waits until the primary reports this standby as streaming.
   *
   * @throws IllegalStateException if it does not within 30 s
   */
  public void awaitStreaming() {
    await("stream from the primary", this::isStreaming);
  }

  /**
   * Ends replication while the standby keeps running: {@code primary_conninfo} is emptied ({@code
   * ALTER SYSTEM}, reload), the WAL receiver stops, and the standby, still in recovery and
   * readable, keeps what it had received. Returns once the WAL receiver is gone.
   */
  public void disconnect() {
    execute("alter system set primary_conninfo = ''");
    execute("select pg_reload_conf()");
    await(
        "stop its WAL receiver",
        () -> !queryBoolean("select count(*) > 0 from pg_stat_wal_receiver"));
    LOG.info("standby {} disconnected from its primary", name);
  }

  /** Stops the standby (fast shutdown); it keeps what it had received. */
  public void stop() {
    server.stop();
  }

  /** Starts the standby again after {@link #stop()}, on the same port; it is still a standby. */
  public void start() {
    server.start();
  }

  /** Whether the standby is still in recovery (not promoted). */
  public boolean isInRecovery() {
    return queryBoolean("select pg_is_in_recovery()");
  }

  /**
   * Promotes the standby ({@code pg_promote}, waiting for it): it leaves recovery and accepts
   * writes, with exactly what it had received.
   *
   * @throws IllegalStateException if the promotion does not complete within 60 s
   */
  public void promote() {
    if (!queryBoolean("select pg_promote(true, 60)")) {
      throw new IllegalStateException("standby " + name + " was not promoted within 60 s");
    }
    LOG.info("standby {} promoted on port {}", name, port());
  }

  /** Stops the standby and deletes its files. Idempotent. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (DevstackException e) {
      LOG.warn("closing standby {}: {}", name, e.getMessage());
    }
    try {
      deleteRecursively(root);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", root, e.toString());
    }
  }

  @Override
  public String toString() {
    return "StreamingStandby[" + name + ", " + server + "]";
  }

  private void execute(String sql) {
    try (Connection connection = connect("postgres");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("standby " + name + ": " + sql + " failed: " + e, e);
    }
  }

  private boolean queryBoolean(String sql) {
    try (Connection connection = connect("postgres");
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    } catch (SQLException e) {
      throw new IllegalStateException("standby " + name + ": " + sql + " failed: " + e, e);
    }
  }

  private void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "standby " + name + " did not " + what + " within " + WAIT.toSeconds() + " s");
      }
      try {
        // Polling interval within the deadline: PostgreSQL offers no call that waits for
        // replication or promotion, and this fixture's main sources do not take Awaitility.
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for standby " + name, e);
      }
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path :
          (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }
}
