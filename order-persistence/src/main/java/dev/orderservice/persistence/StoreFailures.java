package dev.orderservice.persistence;

import dev.orderservice.domain.OrderStoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.Set;
import org.jooq.exception.DataAccessException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns a database failure into an {@link OrderStoreException} that says whether retrying can help.
 *
 * <p>Transient: the connection failed or could not be had (SQLState class 08, a pool's acquire
 * timeout), the server is out of resources (class 53), shutting down or starting (57P01, 57P02,
 * 57P03), or the transaction lost a serialization race or a deadlock (40001, 40P01). Everything
 * else, such as a constraint the data breaks or a defect in a statement, fails the same way again.
 */
final class StoreFailures {

  /**
   * Shutdown, concurrency, and 25006 (a read-only transaction: the connection reached a standby,
   * e.g. while a failover promotes another server, or a DNS name still points at the old one): each
   * answers differently once retried.
   */
  private static final Set<String> TRANSIENT_STATES =
      Set.of("57P01", "57P02", "57P03", "40001", "40P01", "25006");

  private StoreFailures() {}

  /**
   * Runs a call on the database, its failure translated ({@link #translate}).
   *
   * @param what what the call does, e.g. "search orders"
   * @throws dev.orderservice.domain.OrderStoreException if jOOQ or JDBC failed
   */
  static <T> T call(String what, DatabaseWork<T> work) {
    try {
      return work.run();
    } catch (DataAccessException | SQLException e) {
      throw translate(what, e);
    }
  }

  /** A call on the database that may fail with jOOQ's or JDBC's exception. */
  @FunctionalInterface
  interface DatabaseWork<T> {
    T run() throws SQLException;
  }

  /**
   * @param what what was being done, e.g. "save a batch of 500 orders"
   * @param failure what the driver, the pool or jOOQ threw
   */
  static OrderStoreException translate(String what, Throwable failure) {
    Optional<SQLException> sql = firstSqlException(failure);
    boolean transientFailure =
        hasTransientConnectionFailure(failure)
            || sql.map(SQLException::getSQLState)
                .map(StoreFailures::isTransientState)
                .orElse(false);
    String message =
        "could not "
            + what
            + sql.map(e -> ": SQLState " + e.getSQLState() + ", " + describe(e))
                .orElse(": " + failure.getClass().getSimpleName());
    return new OrderStoreException(message, transientFailure, failure);
  }

  static boolean isTransientState(String sqlState) {
    if (sqlState == null) {
      return false;
    }
    return sqlState.startsWith("08")
        || sqlState.startsWith("53")
        || TRANSIENT_STATES.contains(sqlState);
  }

  private static boolean hasTransientConnectionFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      // HikariCP's "connection is not available, request timed out" and its kin.
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      // HikariCP's proxy of a connection it closed (its server went away, e.g. restarted or
      // failed over) says "Connection is closed" without an SQLState: retry on a new one.
      if (t instanceof SQLException sql
          && sql.getSQLState() == null
          && sql.getMessage() != null
          && sql.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connection is closed")) {
        return true;
      }
    }
    return false;
  }

  private static Optional<SQLException> firstSqlException(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return Optional.of(sql);
      }
    }
    return Optional.empty();
  }

  /**
   * The server's primary message without its detail, which may quote a failing row and with it
   * personal data; the full exception stays attached as the cause.
   */
  private static String describe(SQLException e) {
    if (e instanceof PSQLException pg) {
      ServerErrorMessage server = pg.getServerErrorMessage();
      if (server != null && server.getMessage() != null) {
        return server.getMessage();
      }
    }
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int detail = message.indexOf("\n  Detail:");
    return detail < 0 ? message : message.substring(0, detail);
  }
}
