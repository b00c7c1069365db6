package dev.orderservice.testsupport;

import dev.orderservice.devstack.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A PostgreSQL of one test class's own with TLS ({@code ssl=on}, certificates of a {@link
 * TestCertificates} CA for {@code 127.0.0.1} only, so that {@code localhost} is a wrong host name)
 * and password logins (scram-sha-256) for every role but the superuser; optionally client
 * certificates too. Not {@link SharedPostgres}: its settings would change every other test's.
 *
 * <pre>{@code
 * try (TlsPostgres pg = TlsPostgres.start(tempDir, false)) {
 *   pg.owner("app", "s3cret");
 *   String dsn = pg.dsn("app", "sslmode=verify-full&sslrootcert=" + pg.certificates().caCertificate());
 * }
 * }</pre>
 *
 * <p>Not thread safe; the test's own thread uses it.
 */
public final class TlsPostgres implements AutoCloseable {

  /** The database the owner roles own; created on start. */
  public static final String DATABASE = "orders";

  private final EmbeddedPostgres server;
  private final TestCertificates certificates;

  private TlsPostgres(EmbeddedPostgres server, TestCertificates certificates) {
    this.server = server;
    this.certificates = certificates;
  }

  /**
   * Makes the certificates in {@code directory} and starts the server.
   *
   * @param clientCertificates whether roles other than the superuser also need a client certificate
   *     of the CA ({@link TestCertificates#clientCertificate()})
   */
  public static TlsPostgres start(Path directory, boolean clientCertificates) {
    TestCertificates certificates =
        TestCertificates.builder().serverNames("127.0.0.1").build(directory.resolve("tls"));
    EmbeddedPostgres server =
        EmbeddedPostgres.builder()
            .tls(
                certificates.serverCertificate(),
                certificates.serverKey(),
                certificates.caCertificate())
            .passwordLogins(clientCertificates)
            .databaseName(DATABASE)
            .build();
    try {
      server.start();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return new TlsPostgres(server, certificates);
  }

  public TestCertificates certificates() {
    return certificates;
  }

  public EmbeddedPostgres server() {
    return server;
  }

  /**
   * Makes {@code role} log in with {@code password} (created, or its password changed) and own
   * {@link #DATABASE} and its schema {@code public}, so that the service's migrations run as it.
   */
  public void owner(String role, String password) {
    server.loginRole(role, password);
    try (Connection connection = superuser();
        Statement statement = connection.createStatement()) {
      statement.execute("alter database " + DATABASE + " owner to \"" + role + "\"");
      statement.execute("alter schema public owner to \"" + role + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("could not hand " + DATABASE + " to " + role, e);
    }
  }

  /** {@code postgres://ROLE@127.0.0.1:PORT/orders?QUERY}, no password: a libpq DSN. */
  public String dsn(String role, String query) {
    return "postgres://" + role + "@127.0.0.1:" + server.port() + "/" + DATABASE + "?" + query;
  }

  /** A connection as the superuser (trusted, plain), for setting up and checking. */
  public Connection superuser() throws SQLException {
    Properties login = new Properties();
    login.setProperty("user", server.user());
    login.setProperty("sslmode", "disable");
    return DriverManager.getConnection(server.jdbcUrl(), login);
  }

  @Override
  public void close() {
    server.close();
  }
}
