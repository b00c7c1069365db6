package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.testsupport.TestCertificates;
import dev.orderservice.testsupport.TlsPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgjdbc reads a libpq DSN's TLS parameters as libpq would, against a PostgreSQL with {@code
 * ssl=on} and a test CA; and what it throws when PostgreSQL refuses becomes one sentence.
 */
class PostgresTlsTest {

  private static final String PASSWORD = "tls-test-password-7d1";

  @TempDir static Path directory;

  private static TlsPostgres postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = TlsPostgres.start(directory, false);
    postgres.owner("app", PASSWORD);
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void verifyFullWithTheRightCaConnectsOverTls() throws SQLException {
    String url = PostgresDsn.toJdbcUrl(postgres.dsn("app", "sslmode=verify-full&" + rootCert()));

    assertThat(usesTls(PostgresDsn.withPassword(url, PASSWORD))).isTrue();
  }

  @Test
  void aCertificateOfAnotherCaIsRefusedNamingTheRootCertificate() {
    Path otherCa = TestCertificates.builder().build(directory.resolve("other")).caCertificate();
    String url =
        PostgresDsn.toJdbcUrl(
            postgres.dsn("app", "sslmode=verify-ca&sslrootcert=" + otherCa + "&password=x"));

    assertThat(refusal(url))
        .startsWith(
            "TLS: PostgreSQL's certificate does not verify against sslrootcert="
                + otherCa
                + " (sslmode=verify-ca): ");
  }

  @Test
  void requireWithARootCertificateChecksTheCertificateAsLibpqDoes() {
    Path otherCa = TestCertificates.builder().build(directory.resolve("other2")).caCertificate();
    String url =
        PostgresDsn.toJdbcUrl(
            postgres.dsn("app", "sslmode=require&sslrootcert=" + otherCa + "&password=x"));

    assertThat(refusal(url)).startsWith("TLS: PostgreSQL's certificate does not verify");
  }

  @Test
  void aCertificateForAnotherHostIsRefusedUnderVerifyFull() {
    String url =
        PostgresDsn.toJdbcUrl(
                postgres.dsn("app", "sslmode=verify-full&" + rootCert() + "&password=x"))
            .replace("127.0.0.1", "localhost");

    assertThat(refusal(url))
        .isEqualTo(
            "TLS: PostgreSQL's certificate is not for host 'localhost' (sslmode=verify-full)");
  }

  @Test
  void aWrongPasswordIsNamedThroughThePoolThatHidesIt() {
    String url =
        PostgresDsn.withPassword(
            PostgresDsn.toJdbcUrl(postgres.dsn("app", "sslmode=verify-full&" + rootCert())),
            "not-the-password");

    Throwable failure;
    try (HikariDataSource pool = OrderDatabase.pool(url, 1, "tls-test")) {
      failure = catchThrowable(() -> Migrations.migrate(pool));
    }

    assertThat(PostgresRefusal.of(failure, url))
        .contains(
            new PostgresRefusal(
                PostgresRefusal.Kind.AUTHENTICATION,
                "PostgreSQL refused the password of user 'app' (28P01)"));
  }

  @Test
  void aServerWithoutTlsIsRefusedWhenTheDsnRequiresIt() {
    try (EmbeddedPostgres plain = EmbeddedPostgres.builder().build()) {
      plain.start();
      String url =
          PostgresDsn.toJdbcUrl(
              "postgres://postgres@127.0.0.1:" + plain.port() + "/postgres?sslmode=require");

      assertThat(refusal(url))
          .isEqualTo(
              "TLS: PostgreSQL on 127.0.0.1:"
                  + plain.port()
                  + " does not offer TLS, which sslmode=require requires");
    }
  }

  @Test
  void aClientCertificateWithItsPemKeyLogsInWhereTheServerAsksForOne() throws SQLException {
    try (TlsPostgres strict = TlsPostgres.start(directory.resolve("strict"), true)) {
      strict.owner("app", PASSWORD);
      TestCertificates tls = strict.certificates();
      String withoutCertificate =
          PostgresDsn.toJdbcUrl(
              strict.dsn(
                  "app", "sslmode=verify-full&sslrootcert=" + tls.caCertificate() + "&password=x"));
      String withCertificate =
          PostgresDsn.withPassword(
              PostgresDsn.toJdbcUrl(
                  strict.dsn(
                      "app",
                      "sslmode=verify-full&sslrootcert="
                          + tls.caCertificate()
                          + "&sslcert="
                          + tls.clientCertificate()
                          + "&sslkey="
                          + tls.clientKey()
                          + "&pemKeyAlgorithm=EC")),
              PASSWORD);

      assertThat(refusal(withoutCertificate))
          .startsWith("AUTHENTICATION: PostgreSQL refused user 'app' (28000)");
      assertThat(usesTls(withCertificate)).isTrue();
      assertThat(refusal(withCertificate.replace("&pemKeyAlgorithm=EC", "")))
          .startsWith("TLS: pgjdbc cannot read sslkey=" + tls.clientKey() + ": it takes a PKCS#8");
    }
  }

  private static String rootCert() {
    return "sslrootcert=" + postgres.certificates().caCertificate();
  }

  private static boolean usesTls(String url) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
      assertThat(rs.next()).isTrue();
      return rs.getBoolean(1);
    }
  }

  /** KIND: sentence of the refusal a direct connection to {@code url} meets. */
  private static String refusal(String url) {
    Throwable failure = catchThrowable(() -> DriverManager.getConnection(url).close());
    assertThat(failure).as("connecting to %s", url).isNotNull();
    return PostgresRefusal.of(failure, url)
        .map(r -> r.kind() + ": " + r.message())
        .orElseThrow(() -> new AssertionError("not a refusal: " + failure, failure));
  }
}
