package dev.orderservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.testsupport.TestCertificates;
import dev.orderservice.testsupport.TlsPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * order-cli against a PostgreSQL that speaks TLS and wants a password: the README's {@code
 * verify-full} and {@code DB_PASSWORD_FILE} example works, and a refusal ends the command with one
 * line and exit 1.
 */
class PostgresTlsCliTest {

  private static final String PASSWORD = "cli-tls-password-91f";

  @TempDir static Path directory;

  private static TlsPostgres postgres;
  private static Path passwordFile;
  private static Path orders;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = TlsPostgres.start(directory, false);
    postgres.owner("app", PASSWORD);
    passwordFile = directory.resolve("pg-password");
    Files.writeString(passwordFile, PASSWORD + "\n"); // as `echo "$PASSWORD" > file` leaves it
    orders = directory.resolve("orders.ndjson");
    Files.write(orders, OrderCodec.standard().encode(new RandomOrders(21).next()));
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void importsOverVerifyFullWithThePasswordFromAFile() {
    Cli.Run run =
        Cli.run(
            Map.of(
                "DB_DSN", verifyFull("127.0.0.1", postgres.certificates().caCertificate()),
                "DB_PASSWORD_FILE", passwordFile.toString()),
            "import",
            orders.toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).contains("1 inserted");
    assertThat(run.out() + run.err()).doesNotContain(PASSWORD);
  }

  @Test
  void aCertificateOfAnotherCaEndsTheCommandWithOneLine() {
    Path otherCa = TestCertificates.builder().build(directory.resolve("other")).caCertificate();

    Cli.Run run =
        Cli.run(
            Map.of("DB_PASSWORD_FILE", passwordFile.toString()),
            "import",
            "--db",
            verifyFull("127.0.0.1", otherCa),
            orders.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err())
        .startsWith(
            "order-cli: PostgreSQL's certificate does not verify against sslrootcert="
                + otherCa
                + " (sslmode=verify-full): ")
        .hasLineCount(1);
  }

  @Test
  void aCertificateForAnotherHostEndsTheCommandWithOneLine() {
    Cli.Run run =
        Cli.run(
            Map.of("DB_PASSWORD_FILE", passwordFile.toString()),
            "import",
            "--db",
            verifyFull("localhost", postgres.certificates().caCertificate()),
            orders.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err())
        .isEqualTo(
            "order-cli: PostgreSQL's certificate is not for host 'localhost'"
                + " (sslmode=verify-full)\n");
  }

  @Test
  void aWrongPasswordEndsTheCommandWithOneLineThatDoesNotRepeatIt() throws IOException {
    Path wrong = directory.resolve("wrong-password");
    Files.writeString(wrong, "not-" + PASSWORD);

    Cli.Run run =
        Cli.run(
            Map.of("DB_DSN", verifyFull("127.0.0.1", postgres.certificates().caCertificate())),
            "import",
            "--db-password-file",
            wrong.toString(),
            orders.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err())
        .isEqualTo("order-cli: PostgreSQL refused the password of user 'app' (28P01)\n");
  }

  @Test
  void aPasswordInTheDsnAndInAFileIsAUsageError() {
    String dsn =
        verifyFull("127.0.0.1", postgres.certificates().caCertificate())
            .replace("app@", "app:" + PASSWORD + "@");

    Cli.Run run =
        Cli.run(
            Map.of("DB_DSN", dsn, "DB_PASSWORD_FILE", passwordFile.toString()),
            "import",
            orders.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .isEqualTo(
            "order-cli: invalid DB_PASSWORD_FILE (--db-password-file) \""
                + passwordFile
                + "\": DB_DSN (--db) carries a password too; give it in one place\n");
  }

  @Test
  void verifyFullAgainstAServerWithoutTlsSaysSoInOneLine() {
    try (EmbeddedPostgres plain = EmbeddedPostgres.builder().build()) {
      plain.start();
      String dsn =
          "postgres://postgres@127.0.0.1:"
              + plain.port()
              + "/postgres?sslmode=verify-full&sslrootcert="
              + postgres.certificates().caCertificate();

      Cli.Run run = Cli.run("import", "--db", dsn, orders.toString());

      assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
      assertThat(run.err())
          .isEqualTo(
              "order-cli: PostgreSQL on 127.0.0.1:"
                  + plain.port()
                  + " does not offer TLS, which sslmode=verify-full requires\n");
    }
  }

  /** The README's example, on this test's server. */
  private static String verifyFull(String host, Path ca) {
    return postgres.dsn("app", "sslmode=verify-full&sslrootcert=" + ca).replace("127.0.0.1", host);
  }
}
