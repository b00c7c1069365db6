package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The two jars {@code package} makes, run as they ship (failsafe runs this after {@code package}):
 * {@code order-server-production.jar}, which the Dockerfile runs, has no embedded PostgreSQL or
 * Kafka and says what it needs instead of starting without them; {@code order-server.jar}, the
 * README's first command, keeps embedded mode.
 */
class ProductionJarIT {

  private static final Path PRODUCTION_JAR = Path.of("target", "order-server-production.jar");
  private static final Path EMBEDDED_JAR = Path.of("target", "order-server.jar");
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

  @Test
  void theProductionJarHasNeitherDevstackNorTheKafkaBrokerButTheKafkaClients() throws IOException {
    List<String> entries = entries(PRODUCTION_JAR);

    assertThat(entries)
        .noneMatch(name -> name.startsWith("dev/orderservice/devstack/"))
        .noneMatch(name -> name.startsWith("kafka/server/"))
        .noneMatch(name -> name.startsWith("org/apache/kafka/raft/"))
        .noneMatch(name -> name.startsWith("scala/"))
        .noneMatch(name -> name.startsWith("postgres-linux-"))
        .contains(
            "dev/orderservice/server/Main.class",
            "org/apache/kafka/clients/consumer/KafkaConsumer.class",
            "org/postgresql/Driver.class");
  }

  @Test
  void theEmbeddedJarKeepsDevstackAndTheKafkaBroker() throws IOException {
    List<String> entries = entries(EMBEDDED_JAR);

    assertThat(entries)
        .contains("dev/orderservice/devstack/EmbeddedPostgres.class")
        .anyMatch(name -> name.startsWith("kafka/server/"))
        .anyMatch(name -> name.startsWith("postgres-linux-"));
  }

  @Test
  void theProductionJarPrintsItsHelp() throws Exception {
    try (ChildServer help =
        ChildServer.startJar("production-help", PRODUCTION_JAR, Map.of(), "--help")) {
      assertThat(exitCode(help)).as(help.logText()).isZero();
      assertThat(help.logText()).contains("Usage: order-server", "DB_DSN", "KAFKA_BROKER");
    }
  }

  @Test
  void withoutDbDsnAndKafkaBrokerTheProductionJarSaysBothAreRequiredAndExitsWithTwo()
      throws Exception {
    try (ChildServer refused =
        ChildServer.startJar("production-no-servers", PRODUCTION_JAR, Map.of())) {
      assertThat(exitCode(refused)).as(refused.logText()).isEqualTo(2);
      assertThat(refused.log())
          .containsExactly(
              "DB_DSN (--db-dsn) and KAFKA_BROKER (--kafka-broker) are required: this build has"
                  + " no embedded PostgreSQL or Kafka (use order-server.jar for embedded mode)");
    }
  }

  @Test
  void withoutKafkaBrokerTheProductionJarSaysItIsRequiredAndExitsWithTwo() throws Exception {
    Map<String, String> env = Map.of("DB_DSN", TestStack.jdbcUrlWithOwnSchema("production"));
    try (ChildServer refused = ChildServer.startJar("production-no-broker", PRODUCTION_JAR, env)) {
      assertThat(exitCode(refused)).as(refused.logText()).isEqualTo(2);
      assertThat(refused.log())
          .containsExactly(
              "KAFKA_BROKER (--kafka-broker) is required: this build has no embedded Kafka"
                  + " (use order-server.jar for embedded mode)");
    }
  }

  @Test
  void withDbDsnAndKafkaBrokerTheProductionJarServesAndStopsOnSigterm() throws Exception {
    String topic = TestStack.newTopic("production");
    Map<String, String> env =
        Map.of(
            "DB_DSN",
            TestStack.jdbcUrlWithOwnSchema("production"),
            "KAFKA_BROKER",
            TestStack.kafkaBrokers(),
            "KAFKA_TOPIC",
            topic,
            "KAFKA_GROUP",
            topic + "-group",
            "HTTP_ADDR",
            "127.0.0.1:0");
    try (ChildServer server = ChildServer.startJar("production", PRODUCTION_JAR, env)) {
      Http http = server.awaitListening(Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").statusCode() == 200);

      server.terminate();

      assertThat(exitCode(server)).as(server.logText()).isZero();
      assertThat(server.log())
          .anyMatch(line -> line.contains("PostgreSQL: external"))
          .anyMatch(line -> line.contains("Kafka: external"));
    }
  }

  private static int exitCode(ChildServer child) throws InterruptedException {
    assertThat(child.process().waitFor(EXIT_WITHIN.toSeconds(), TimeUnit.SECONDS))
        .as("exited within %s; log:\n%s", EXIT_WITHIN, child.logText())
        .isTrue();
    return child.process().exitValue();
  }

  private static List<String> entries(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return Collections.list(file.entries()).stream().map(JarEntry::getName).toList();
    }
  }
}
