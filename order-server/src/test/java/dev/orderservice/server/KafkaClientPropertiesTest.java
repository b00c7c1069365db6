package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.testsupport.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The user's Kafka client properties reach the server's Kafka clients, config providers resolved by
 * the clients themselves, and no secret reaches the log.
 */
class KafkaClientPropertiesTest {

  private static final String FILE_PROVIDER =
      "org.apache.kafka.common.config.provider.FileConfigProvider";

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
  private Level kafkaLevel;

  @TempDir Path dir;

  @BeforeEach
  void captureLog() {
    log.start();
    root.addAppender(log);
    // Kafka's own INFO lines too: each client logs every setting it was given when it is made.
    kafkaLevel = kafka.getLevel();
    kafka.setLevel(Level.INFO);
  }

  @AfterEach
  void releaseLog() {
    kafka.setLevel(kafkaLevel);
    root.detachAppender(log);
  }

  @Test
  void aValueFromAFileConfigProviderReachesTheConsumerAndNoSecretReachesTheLog() throws Exception {
    String clientId = TestStack.uniqueName("from-a-secret-file");
    String secret = "jaas-" + TestStack.uniqueName("never-logged");
    Path secrets =
        Files.writeString(
            dir.resolve("kafka-secrets.properties"),
            "clientId=" + clientId + "\njaas=unused " + secret + "\n");
    String reference = "${file:" + secrets + ":clientId}";
    Path clientFile =
        Files.writeString(
            dir.resolve("client.properties"),
            "config.providers=file\n"
                + "config.providers.file.class="
                + FILE_PROVIDER
                + "\n"
                // The broker is PLAINTEXT, so the clients do not use it; it is there to be hidden.
                + "sasl.jaas.config=Login required password=\""
                + secret
                + "\";\n");
    String topic = TestStack.newTopic("kprops");
    Map<String, String> env =
        Map.of("KAFKA_CONFIG_FILE", clientFile.toString(), "KAFKA_CLIENT_CLIENT_ID", reference);

    try (OrderServer server =
        OrderServer.start(
            ServerOptions.parse(
                TestStack.serverArgs(TestStack.jdbcUrlWithOwnSchema("kprops"), topic), env))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions() // the group exists once the consumer has joined it
          .until(
              () ->
                  TestBroker.describeGroup(topic + "-group").members().stream()
                      .map(MemberDescription::clientId)
                      .toList(),
              ids -> ids.contains(clientId));
    }

    List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("kafkaClientSettings=KAFKA_CONFIG_FILE " + clientFile)
                    .contains("client.id=" + reference + " (KAFKA_CLIENT_CLIENT_ID)")
                    .contains("sasl.jaas.config=[hidden] (file)"));
    assertThat(lines)
        .as("the clients' own list of their settings")
        .anySatisfy(line -> assertThat(line).contains("sasl.jaas.config = [hidden]"));
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains(secret));
  }
}
