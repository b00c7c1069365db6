package dev.orderservice.persistence;

import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLException;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * PostgreSQL refusing a connection, in one plain sentence: the password or the role (SQLState
 * 28P01, 28000), or TLS (a certificate that does not verify against {@code sslrootcert}, one that
 * is not for the host under {@code sslmode=verify-full}, a server without TLS when the DSN requires
 * it), and a client key pgjdbc cannot read. What pgjdbc throws says this in a stack of causes, and
 * a pool hides it behind "connection is not available"; {@link #of} finds it, through any wrapping.
 *
 * <p>The sentence names the user, the host, the {@code sslmode} and the {@code sslrootcert} file,
 * never the password. Immutable.
 *
 * @param kind which of the two kinds of refusal
 * @param message one sentence, e.g. {@code PostgreSQL refused the password of user 'app' (28P01)}
 */
public record PostgresRefusal(Kind kind, String message) {

  /** What PostgreSQL refuses. */
  public enum Kind {
    /** The password, the role, or (pg_hba.conf) the connection as such; fixed on the server. */
    AUTHENTICATION,
    /** The TLS connection: the server's certificate, the client's, or TLS at all. */
    TLS
  }

  public PostgresRefusal {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /**
   * The refusal that {@code failure} (or one of its causes) is, on a connection to {@code jdbcUrl};
   * empty if it is none (the server is unreachable, a statement failed).
   */
  public static Optional<PostgresRefusal> of(Throwable failure, String jdbcUrl) {
    Properties url = parse(jdbcUrl);
    String user = url.getProperty("user", "?");
    String sslmode = url.getProperty("sslmode", "prefer");
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "28P01".equals(sql.getSQLState())) {
        return auth("PostgreSQL refused the password of user '" + user + "' (28P01)");
      }
      if (t instanceof SQLException sql && "28000".equals(sql.getSQLState())) {
        return auth("PostgreSQL refused user '" + user + "' (28000): " + serverMessage(sql));
      }
      String message = String.valueOf(t.getMessage());
      if (t instanceof PSQLException
          && (message.contains("private key") || message.contains("SSL key file"))) {
        return tls(
            "pgjdbc cannot read sslkey="
                + url.getProperty("sslkey", "~/.postgresql/postgresql.pk8 (the default)")
                + ": it takes a PKCS#8 key, as PEM (BEGIN PRIVATE KEY; an EC key also needs"
                + " pemKeyAlgorithm=EC), as DER, or in a .p12 store");
      }
      if (t instanceof PSQLException
          && message.contains("could not be verified by hostnameverifier")) {
        return tls(
            "PostgreSQL's certificate is not for host '"
                + url.getProperty("PGHOST", "?")
                + "' (sslmode="
                + sslmode
                + ")");
      }
      if (t instanceof PSQLException && message.contains("does not support SSL")) {
        return tls(
            "PostgreSQL on "
                + url.getProperty("PGHOST", "?")
                + ":"
                + url.getProperty("PGPORT", "5432")
                + " does not offer TLS, which sslmode="
                + sslmode
                + " requires");
      }
      if (t instanceof SSLException) {
        return Optional.of(handshake(t, url, sslmode));
      }
    }
    return Optional.empty();
  }

  /** A handshake that failed: the server's certificate, or something else TLS. */
  private static PostgresRefusal handshake(Throwable ssl, Properties url, String sslmode) {
    Throwable root = ssl;
    boolean certificate = false;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
      certificate |= root instanceof GeneralSecurityException;
    }
    if (certificate) {
      return new PostgresRefusal(
          Kind.TLS,
          "PostgreSQL's certificate does not verify against sslrootcert="
              + url.getProperty("sslrootcert", "~/.postgresql/root.crt (the default)")
              + " (sslmode="
              + sslmode
              + "): "
              + root.getMessage());
    }
    return new PostgresRefusal(
        Kind.TLS, "the TLS handshake with PostgreSQL failed: " + root.getMessage());
  }

  private static Optional<PostgresRefusal> auth(String message) {
    return Optional.of(new PostgresRefusal(Kind.AUTHENTICATION, message));
  }

  private static Optional<PostgresRefusal> tls(String message) {
    return Optional.of(new PostgresRefusal(Kind.TLS, message));
  }

  /** The server's own words (they name no secret), without pgjdbc's decoration. */
  private static String serverMessage(SQLException e) {
    if (e instanceof PSQLException pg) {
      ServerErrorMessage server = pg.getServerErrorMessage();
      if (server != null && server.getMessage() != null) {
        return server.getMessage();
      }
    }
    return String.valueOf(e.getMessage());
  }

  private static Properties parse(String jdbcUrl) {
    Properties parsed = jdbcUrl == null ? null : Driver.parseURL(jdbcUrl, null);
    return parsed != null ? parsed : new Properties();
  }
}
