package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.testsupport.TestCertificates;
import dev.orderservice.testsupport.TlsPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server against a PostgreSQL with TLS and password logins: a certificate that does not verify
 * stops start-up with one line; a refused password does not: the server answers, {@code /readyz}
 * names the refusal, and once the role is fixed it connects and works, without a restart. The
 * password shows in no log line and no {@code /readyz} body.
 */
class PostgresTlsServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PASSWORD = "server-tls-password-4c2";

  @TempDir static Path directory;

  private static TlsPostgres postgres;
  private static Path passwordFile;

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = TlsPostgres.start(directory, false);
    passwordFile = directory.resolve("pg-password");
    Files.writeString(passwordFile, PASSWORD + "\n");
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void captureLog() {
    log.start();
    root.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    root.detachAppender(log);
  }

  @Test
  void aRefusedPasswordLeavesTheServerUpAndNotReadyUntilTheRoleAcceptsIt() {
    String topic = TestStack.newTopic("pgtls");
    // The role does not exist yet: PostgreSQL answers as for a wrong password (28P01).
    String[] args =
        TestStack.serverArgs(
            verifyFull("svc", "127.0.0.1", postgres.certificates().caCertificate()),
            topic,
            "--db-password-file",
            passwordFile.toString());
    List<String> bodies = new ArrayList<>();
    try (OrderServer server = OrderServer.start(ServerOptions.parse(args, Map.of()))) {
      Http http = new Http(server);

      HttpResponse<byte[]> notReady = http.get("/readyz");
      bodies.add(Http.text(notReady));
      assertThat(notReady.statusCode()).isEqualTo(503);
      JsonNode problem = Http.json(notReady).path("problems").path(0);
      assertThat(problem.path("dependency").asText()).isEqualTo("database");
      assertThat(problem.path("kind").asText()).isEqualTo("authentication");
      assertThat(problem.path("reason").asText())
          .isEqualTo("PostgreSQL refused the password of user 'svc' (28P01)");

      postgres.owner("svc", PASSWORD);

      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                HttpResponse<byte[]> ready = http.get("/readyz");
                bodies.add(Http.text(ready));
                assertThat(ready.statusCode()).as(Http.text(ready)).isEqualTo(200);
              });
      Order order = new RandomOrders(2121).next();
      TestStack.produce(topic, order.orderUid(), OrderCodec.standard().encode(order));
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(http.get("/orders/" + order.orderUid()).statusCode()).isEqualTo(200));
    }
    assertThat(bodies).noneMatch(body -> body.contains(PASSWORD));
    assertThat(log.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .noneMatch(line -> line.contains(PASSWORD))
        .filteredOn(line -> line.contains("PostgreSQL refused the password of user 'svc'"))
        .as("said once, though tried every second")
        .hasSize(1);
  }

  @Test
  void aCertificateOfAnotherCaStopsStartUpWithOneLine() {
    Path otherCa = TestCertificates.builder().build(directory.resolve("other")).caCertificate();

    StringWriter err = new StringWriter();
    int exit = run(verifyFull("app", "127.0.0.1", otherCa), err);

    assertThat(exit).isEqualTo(Main.EXIT_FAILED);
    assertThat(err.toString())
        .startsWith(
            "order-server: could not start: PostgreSQL's certificate does not verify against"
                + " sslrootcert="
                + otherCa
                + " (sslmode=verify-full): ")
        .hasLineCount(1);
    assertThat(log.list)
        .filteredOn(event -> event.getLoggerName().equals(Main.class.getName()))
        .extracting(ILoggingEvent::getFormattedMessage, event -> event.getThrowableProxy() == null)
        .anyMatch(line -> line.toList().get(0).toString().startsWith("could not start: PostgreSQL"))
        .allMatch(line -> (Boolean) line.toList().get(1), "logged without a stack trace");
  }

  @Test
  void aCertificateForAnotherHostStopsStartUpWithOneLine() {
    StringWriter err = new StringWriter();
    int exit = run(verifyFull("app", "localhost", postgres.certificates().caCertificate()), err);

    assertThat(exit).isEqualTo(Main.EXIT_FAILED);
    assertThat(err.toString())
        .isEqualTo(
            "order-server: could not start: PostgreSQL's certificate is not for host 'localhost'"
                + " (sslmode=verify-full)"
                + System.lineSeparator());
  }

  private static int run(String dsn, StringWriter err) {
    String[] args = TestStack.serverArgs(dsn, TestStack.newTopic("pgtls-refused"));
    return Main.run(
        args,
        Map.of("DB_PASSWORD_FILE", passwordFile.toString()),
        new PrintWriter(new StringWriter(), true),
        new PrintWriter(err, true));
  }

  /** The README's example, on this test's server. */
  private static String verifyFull(String role, String host, Path ca) {
    return postgres.dsn(role, "sslmode=verify-full&sslrootcert=" + ca).replace("127.0.0.1", host);
  }
}
