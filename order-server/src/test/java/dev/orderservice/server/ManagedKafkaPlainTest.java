package dev.orderservice.server;

import static dev.orderservice.server.SecuredKafkaStack.KAFKA;
import static dev.orderservice.server.SecuredKafkaStack.assertNoSecretGotOut;
import static dev.orderservice.server.SecuredKafkaStack.readyzStatus;
import static dev.orderservice.server.SecuredKafkaStack.sendOrders;
import static dev.orderservice.server.SecuredKafkaStack.startServer;
import static dev.orderservice.server.SecuredKafkaStack.writeFile;
import static org.awaitility.Awaitility.await;

import dev.orderservice.testsupport.KafkaClientExamples;
import dev.orderservice.testsupport.TestTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with nothing but the client file a managed service hands out (SASL/PLAIN over TLS, its
 * bootstrap servers in the file) in KAFKA_CONFIG_FILE: the README's example.
 */
class ManagedKafkaPlainTest {

  private static final Duration WAIT = Duration.ofSeconds(40);

  @TempDir Path files;

  @Test
  void consumesAndStoresWithTheFileAManagedServiceHandsOut() {
    Path clientFile =
        writeFile(
            files.resolve("managed.properties"),
            KafkaClientExamples.plainOverTls(
                KAFKA.saslSslBootstrapServers(),
                KAFKA.plainUser(),
                KAFKA.plainPassword(),
                KAFKA.certificates().caCertificate()));
    TestTopics topics = KAFKA.newTopics("plain", 3);
    sendOrders(topics, 41, 12, 1);
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("plain");

    try (CapturedLog log = CapturedLog.start();
        OrderServer server =
            startServer(jdbcUrl, topics, Map.of("KAFKA_CONFIG_FILE", clientFile.toString()))) {
      await().atMost(WAIT).until(() -> TestStack.countOrders(jdbcUrl) == 12);
      await().atMost(WAIT).until(() -> KAFKA.readAll(topics.deadLetterTopic()).size() == 1);
      await().atMost(WAIT).until(() -> readyzStatus(server) == 200);

      assertNoSecretGotOut(server, log, KAFKA.plainPassword());
    }
  }
}
