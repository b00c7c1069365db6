package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.persistence.PostgresDsn;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.testsupport.SharedDatabase;
import dev.orderservice.testsupport.TestBroker;
import dev.orderservice.testsupport.UniqueNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The JVM's shared test PostgreSQL and Kafka (order-test-support) as the server tests use them: a
 * schema and a topic of their own per test class (so no class sees another's orders or records),
 * the server's command line pointing at them, a producer, and the sample order.
 */
final class TestStack {

  private static final SharedDatabase DATABASE =
      new SharedDatabase("order_server_tests", PostgresDsn::toJdbcUrl);

  private TestStack() {}

  /** {@code prefix} with a random suffix, usable as a schema, topic or group name. */
  static String uniqueName(String prefix) {
    return UniqueNames.withPrefix(prefix);
  }

  /**
   * A JDBC URL whose connections work in a schema of their own; the server's migrations create it.
   * The embedded test PostgreSQL, or the one TEST_DB_DSN names.
   */
  static String jdbcUrlWithOwnSchema(String prefix) {
    return DATABASE.jdbcUrlOfNewSchema(prefix);
  }

  static String kafkaBrokers() {
    return TestBroker.bootstrapServers();
  }

  /** A new topic with three partitions, as the service's own. */
  static String newTopic(String prefix) {
    return TestBroker.newTopic(prefix, 3);
  }

  /**
   * The server's command line for this stack: a free port on 127.0.0.1, the given database and
   * topic, a consumer group of the topic's own, then {@code extra} flags.
   */
  static String[] serverArgs(String jdbcUrl, String topic, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--http-addr",
                "127.0.0.1:0",
                "--db-dsn",
                jdbcUrl,
                "--kafka-broker",
                kafkaBrokers(),
                "--kafka-topic",
                topic,
                "--kafka-group",
                topic + "-group"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  static OrderServer startServer(String jdbcUrl, String topic, String... extra) {
    return OrderServer.start(ServerOptions.parse(serverArgs(jdbcUrl, topic, extra), Map.of()));
  }

  /** A producer of test records: acks=all, so a sent record is a stored record. */
  static KafkaProducer<byte[], byte[]> producer() {
    return TestBroker.producer();
  }

  /** Sends {@code value} keyed by {@code uid} and waits for the ack. */
  static void produce(String topic, String uid, byte[] value) {
    TestBroker.produce(List.of(new ProducerRecord<>(topic, uid.getBytes(UTF_8), value)));
  }

  /** The repository's {@code samples/order.json}, byte for byte. */
  static byte[] sampleBytes() {
    try (InputStream in = TestStack.class.getResourceAsStream("/samples/order.json")) {
      if (in == null) {
        throw new IllegalStateException("samples/order.json is not on the test classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Order sampleOrder() {
    return decode(sampleBytes());
  }

  static Order decode(byte[] json) {
    return ((DecodeResult.Decoded) OrderCodec.standard().decode(json)).order();
  }

  /** How many orders the schema of {@code jdbcUrl} holds. */
  static long countOrders(String jdbcUrl) {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from orders")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("could not count orders", e);
    }
  }
}
