package dev.orderservice.server;

import static dev.orderservice.server.SecuredKafkaStack.KAFKA;
import static dev.orderservice.server.SecuredKafkaStack.assertNoSecretGotOut;
import static dev.orderservice.server.SecuredKafkaStack.kafkaProblem;
import static dev.orderservice.server.SecuredKafkaStack.readyzStatus;
import static dev.orderservice.server.SecuredKafkaStack.secret;
import static dev.orderservice.server.SecuredKafkaStack.sendOrders;
import static dev.orderservice.server.SecuredKafkaStack.startServer;
import static dev.orderservice.server.SecuredKafkaStack.writeFile;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.testsupport.KafkaClientExamples;
import dev.orderservice.testsupport.TestTopics;
import dev.orderservice.testsupport.UniqueNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against a broker whose listener it is given is SASL_SSL with SCRAM-SHA-512, set up
 * with the documented settings only (KAFKA_BROKER, KAFKA_CONFIG_FILE, KAFKA_CLIENT_*) and the
 * README's examples ({@link KafkaClientExamples}).
 */
class SaslScramKafkaTest {

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
  void consumesStoresAndDeadLettersOverSaslSslWithThePasswordFromAMountedFile() {
    String user = UniqueNames.withPrefix("orders");
    String password = secret("scram");
    KAFKA.upsertScramUser(user, password);
    Path secretFile =
        KafkaClientExamples.writeSecretFile(
            files.resolve("kafka.properties"), KafkaClientExamples.mountedSecret(password));
    Path clientFile =
        writeFile(
            files.resolve("client.properties"),
            KafkaClientExamples.scramWithPasswordFromFile(
                user, secretFile, KAFKA.certificates().caCertificate()));
    TestTopics topics = KAFKA.newTopics("sasl", 3);
    sendOrders(topics, 21, 20, 1);
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("sasl");

    try (OrderServer server =
        startServer(
            jdbcUrl,
            topics,
            Map.of(
                "KAFKA_BROKER",
                KAFKA.saslSslBootstrapServers(),
                "KAFKA_CONFIG_FILE",
                clientFile.toString()))) {
      await().atMost(WAIT).until(() -> TestStack.countOrders(jdbcUrl) == 20);
      await().atMost(WAIT).until(() -> KAFKA.readAll(topics.deadLetterTopic()).size() == 1);
      await().atMost(WAIT).until(() -> readyzStatus(server) == 200);

      ConsumerRecord<byte[], byte[]> letter = KAFKA.readAll(topics.deadLetterTopic()).get(0);
      assertThat(new String(letter.key(), UTF_8)).isEqualTo("bad-0");
      assertNoSecretGotOut(
          server, log, password, KAFKA.certificates().password(), KAFKA.plainPassword());
    }
  }

  @Test
  void aWrongPasswordLeavesTheServerUpButNotReadyUntilTheUserHasItThenItIngests() {
    String user = UniqueNames.withPrefix("late");
    String password = secret("scram");
    String oldPassword = secret("scram-old");
    KAFKA.upsertScramUser(user, oldPassword);
    TestTopics topics = KAFKA.newTopics("sasl-late", 3);
    sendOrders(topics, 22, 10, 0);
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("sasllate");
    Map<String, String> env =
        new HashMap<>(
            KafkaClientExamples.scramOverTlsVariables(
                user, password, KAFKA.certificates().caCertificate()));
    env.put("KAFKA_BROKER", KAFKA.saslSslBootstrapServers());

    try (OrderServer server = startServer(jdbcUrl, topics, env)) {
      await()
          .atMost(WAIT)
          .until(() -> readyzStatus(server) == 503 && !kafkaProblem(server).isMissingNode());
      JsonNode problem = kafkaProblem(server);
      assertThat(problem.path("kind").asText()).isEqualTo("authentication");
      assertThat(problem.path("reason").asText()).isNotBlank();
      assertThat(TestStack.countOrders(jdbcUrl)).isZero();

      KAFKA.upsertScramUser(user, password);

      await().atMost(WAIT).until(() -> TestStack.countOrders(jdbcUrl) == 10);
      await().atMost(WAIT).until(() -> readyzStatus(server) == 200);
      assertThat(kafkaProblem(server).isMissingNode()).isTrue();
      assertNoSecretGotOut(server, log, password, oldPassword, KAFKA.certificates().password());
      assertThat(log.lines())
          .as("the refusal is logged")
          .anyMatch(line -> line.contains("kafka refuses (authentication)"));
    }
  }
}
