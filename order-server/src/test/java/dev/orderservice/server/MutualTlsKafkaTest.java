package dev.orderservice.server;

import static dev.orderservice.server.SecuredKafkaStack.KAFKA;
import static dev.orderservice.server.SecuredKafkaStack.assertNoSecretGotOut;
import static dev.orderservice.server.SecuredKafkaStack.kafkaProblem;
import static dev.orderservice.server.SecuredKafkaStack.readyzStatus;
import static dev.orderservice.server.SecuredKafkaStack.sendOrders;
import static dev.orderservice.server.SecuredKafkaStack.startServer;
import static dev.orderservice.server.SecuredKafkaStack.writeFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.testsupport.KafkaClientExamples;
import dev.orderservice.testsupport.TestCertificates;
import dev.orderservice.testsupport.TestTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against a broker whose listener it is given is SSL with a client certificate required,
 * set up with the README's mutual TLS example in KAFKA_CONFIG_FILE.
 */
class MutualTlsKafkaTest {

  private static final Duration WAIT = Duration.ofSeconds(40);

  @TempDir Path files;
  private CapturedLog log;

  @BeforeEach
  void captureLog() {
    log = CapturedLog.start();
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  void consumesStoresAndDeadLettersWithItsClientCertificate() {
    TestCertificates tls = KAFKA.certificates();
    Path clientFile =
        writeFile(
            files.resolve("client.properties"),
            KafkaClientExamples.mutualTls(
                tls.clientKeyStore(), tls.password(), tls.caCertificate()));
    TestTopics topics = KAFKA.newTopics("mtls", 3);
    sendOrders(topics, 31, 15, 1);
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("mtls");

    try (OrderServer server = startServer(jdbcUrl, topics, env(clientFile))) {
      await().atMost(WAIT).until(() -> TestStack.countOrders(jdbcUrl) == 15);
      await().atMost(WAIT).until(() -> KAFKA.readAll(topics.deadLetterTopic()).size() == 1);
      await().atMost(WAIT).until(() -> readyzStatus(server) == 200);

      assertNoSecretGotOut(server, log, tls.password());
    }
  }

  @Test
  void withoutAClientCertificateTheServerIsUpButNotReadyAndSaysWhy() {
    TestCertificates tls = KAFKA.certificates();
    String withoutKeyStore =
        KafkaClientExamples.mutualTls(tls.clientKeyStore(), tls.password(), tls.caCertificate())
            .lines()
            .filter(line -> !line.startsWith("ssl.key"))
            .collect(Collectors.joining("\n"));
    Path clientFile = writeFile(files.resolve("client.properties"), withoutKeyStore);
    TestTopics topics = KAFKA.newTopics("mtls-none", 1);
    sendOrders(topics, 32, 3, 0);
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("mtlsnone");

    try (OrderServer server = startServer(jdbcUrl, topics, env(clientFile))) {
      await()
          .atMost(WAIT)
          .until(() -> readyzStatus(server) == 503 && !kafkaProblem(server).isMissingNode());

      JsonNode problem = kafkaProblem(server);
      assertThat(problem.path("kind").asText()).isIn("authentication", "tls");
      assertThat(TestStack.countOrders(jdbcUrl)).isZero();
    }
  }

  private static Map<String, String> env(Path clientFile) {
    return Map.of(
        "KAFKA_BROKER",
        KAFKA.mutualTlsBootstrapServers(),
        "KAFKA_CONFIG_FILE",
        clientFile.toString());
  }
}
