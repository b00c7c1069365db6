package dev.orderservice.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What guards a running server of ours: the {@link PostgresWatchdog} that stops it if this JVM
 * dies, and the {@link ServerOwner} record that names this JVM as the data directory's owner. Armed
 * before {@code pg_ctl start}, so that no moment exists in which a server of ours runs unguarded;
 * closed (disarmed) once the server has stopped, so that the watchdog cannot stop a later server on
 * the same directory.
 *
 * <p>Not thread-safe; {@link EmbeddedPostgres} calls it under its own lock. {@link #close()} blocks
 * for at most a few seconds.
 */
final class ServerGuard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  private final PostgresCluster cluster;
  private final PostgresWatchdog watchdog;

  private ServerGuard(PostgresCluster cluster, PostgresWatchdog watchdog) {
    this.cluster = cluster;
    this.watchdog = watchdog;
  }

  /**
   * Starts the watchdog for {@code cluster}'s server and records this JVM as its owner.
   *
   * @throws DevstackException if either fails (nothing is left running then)
   */
  static ServerGuard arm(PostgresCluster cluster) {
    ServerGuard guard =
        new ServerGuard(
            cluster,
            PostgresWatchdog.start(
                PostgresBinaries.program("pg_ctl"),
                cluster.dataDirectory(),
                cluster.serverLog(),
                cluster.workDirectory()));
    try {
      ServerOwner.thisJvm(guard.watchdog).writeTo(cluster.dataDirectory());
    } catch (RuntimeException e) {
      guard.close();
      throw new DevstackException(
          "could not record the owner of " + cluster.dataDirectory() + ": " + e, e);
    }
    return guard;
  }

  /** Ends the watchdog without letting it act, and removes the owner record. */
  @Override
  public void close() {
    watchdog.close();
    try {
      ServerOwner.deleteFrom(cluster.dataDirectory());
    } catch (RuntimeException e) {
      LOG.warn("{}", e.getMessage());
    }
  }
}
