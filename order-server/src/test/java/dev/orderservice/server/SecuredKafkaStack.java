package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.testsupport.SecuredKafka;
import dev.orderservice.testsupport.TestTopics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the tests of the server against {@link SecuredKafka} share: the server started with the
 * documented settings only, the orders they send (over the broker's PLAINTEXT listener, as set-up),
 * what {@code /readyz} says about Kafka, and the check that no secret got out.
 */
final class SecuredKafkaStack {

  static final SecuredKafka KAFKA = SecuredKafka.instance();

  private SecuredKafkaStack() {}

  /**
   * The server with the database of {@code jdbcUrl}, the topic and group of {@code topics}, and
   * every Kafka setting from {@code env} (KAFKA_BROKER, KAFKA_CONFIG_FILE, KAFKA_CLIENT_*).
   */
  static OrderServer startServer(String jdbcUrl, TestTopics topics, Map<String, String> env) {
    String[] args = {
      "--http-addr",
      "127.0.0.1:0",
      "--db-dsn",
      jdbcUrl,
      "--kafka-topic",
      topics.topic(),
      "--kafka-group",
      topics.group()
    };
    return OrderServer.start(ServerOptions.parse(args, env));
  }

  /** Sends {@code valid} random valid orders and {@code invalid} records that are no order. */
  static void sendOrders(TestTopics topics, long seed, int valid, int invalid) {
    RandomOrders random = new RandomOrders(seed);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < valid; i++) {
      Order order = random.next();
      records.add(record(topics.topic(), order.orderUid(), OrderCodec.standard().encode(order)));
    }
    for (int i = 0; i < invalid; i++) {
      records.add(record(topics.topic(), "bad-" + i, "{\"order_uid\": ".getBytes(UTF_8)));
    }
    KAFKA.produce(records);
  }

  /** A client properties file, as an operator would write it. */
  static Path writeFile(Path file, String content) {
    try {
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A random secret with a readable prefix. */
  static String secret(String prefix) {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return prefix + "-" + HexFormat.of().formatHex(bytes);
  }

  static JsonNode readyz(OrderServer server) {
    return Http.json(new Http(server).get("/readyz"));
  }

  static int readyzStatus(OrderServer server) {
    return new Http(server).get("/readyz").statusCode();
  }

  /** The problem {@code /readyz} lists for Kafka, or a missing node. */
  static JsonNode kafkaProblem(OrderServer server) {
    return StreamSupport.stream(readyz(server).path("problems").spliterator(), false)
        .filter(p -> p.path("dependency").asText().equals("kafka"))
        .findFirst()
        .orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
  }

  /**
   * No captured log line, and neither the {@code /readyz} nor the {@code /metrics} body, holds any
   * of {@code secrets}; the log did capture the server's own lines and Kafka's client settings.
   */
  static void assertNoSecretGotOut(OrderServer server, CapturedLog log, String... secrets) {
    Http http = new Http(server);
    HttpResponse<byte[]> readyz = http.get("/readyz");
    HttpResponse<byte[]> metrics = http.get("/metrics");
    List<String> lines = log.lines();
    assertThat(lines).as("captured log lines").hasSizeGreaterThan(10);
    assertThat(lines)
        .as("the Kafka clients' configuration is in the captured log")
        .anyMatch(line -> line.contains("sasl.jaas.config") || line.contains("ssl.keystore"));
    for (String secret : secrets) {
      assertThat(lines).as("log lines").noneMatch(line -> line.contains(secret));
      assertThat(Http.text(readyz)).as("/readyz").doesNotContain(secret);
      assertThat(Http.text(metrics)).as("/metrics").doesNotContain(secret);
    }
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ProducerRecord<>(topic, key.getBytes(UTF_8), value);
  }
}
