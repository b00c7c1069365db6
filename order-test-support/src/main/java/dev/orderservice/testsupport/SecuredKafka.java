package dev.orderservice.testsupport;

import dev.orderservice.devstack.EmbeddedKafka;
import dev.orderservice.devstack.SecureListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One Kafka broker per test JVM whose client listeners are secured, for the tests of the service
 * against secured clusters: a SASL_SSL listener ({@link #SASL_SSL}: SCRAM-SHA-512 for the users a
 * test makes with {@link #upsertScramUser}, and SASL/PLAIN for one fixed {@link #plainUser()}) and
 * an SSL listener that requires a client certificate ({@link #MUTUAL_TLS}). The certificates are
 * {@link TestCertificates} made when the broker starts (server names {@code localhost} and {@code
 * 127.0.0.1}), in a temporary directory deleted at exit. The PLAINTEXT listener ({@link
 * #plaintextBootstrapServers()}) is for setting data up and checking it, never for the code under
 * test.
 *
 * <p>Started lazily on first call (a few seconds), closed by a JVM shutdown hook; callers must not
 * close it. Thread-safe; every method may block on the first start.
 */
public final class SecuredKafka {

  /** The SASL_SSL listener's name: SCRAM-SHA-512 and PLAIN over TLS. */
  public static final String SASL_SSL = "SASL_SSL";

  /** The SSL listener's name: mutual TLS, a client certificate signed by the test CA required. */
  public static final String MUTUAL_TLS = "MTLS";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static SecuredKafka instance;

  private final EmbeddedKafka broker;
  private final TestCertificates certificates;
  private final String plainUser;
  private final String plainPassword;

  private SecuredKafka(
      EmbeddedKafka broker, TestCertificates certificates, String plainUser, String plainPassword) {
    this.broker = broker;
    this.certificates = certificates;
    this.plainUser = plainUser;
    this.plainPassword = plainPassword;
  }

  /**
   * The JVM-wide secured broker, started on first call.
   *
   * @throws dev.orderservice.devstack.DevstackException if the broker cannot start
   */
  public static synchronized SecuredKafka instance() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  private static SecuredKafka start() {
    Path directory = temporaryDirectory();
    TestCertificates tls = TestCertificates.builder().build(directory);
    String plainUser = "managed-key";
    String plainPassword = "plain-" + randomHex();
    EmbeddedKafka kafka =
        EmbeddedKafka.builder()
            .listener(
                SecureListener.saslSsl(
                        SASL_SSL, tls.serverKeyStore(), tls.trustStore(), tls.password())
                    .withPlainUser(plainUser, plainPassword))
            .listener(
                SecureListener.mutualTls(
                    MUTUAL_TLS, tls.serverKeyStore(), tls.trustStore(), tls.password()))
            .build();
    try {
      kafka.start(); // registers the shutdown hook that closes it
    } catch (RuntimeException e) {
      try {
        kafka.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return new SecuredKafka(kafka, tls, plainUser, plainPassword);
  }

  /** The test CA, the broker's certificate and a client certificate the MTLS listener accepts. */
  public TestCertificates certificates() {
    return certificates;
  }

  /** {@code 127.0.0.1:PORT} of the SASL_SSL listener. */
  public String saslSslBootstrapServers() {
    return broker.bootstrapServers(SASL_SSL);
  }

  /** {@code 127.0.0.1:PORT} of the mutual TLS listener. */
  public String mutualTlsBootstrapServers() {
    return broker.bootstrapServers(MUTUAL_TLS);
  }

  /** {@code 127.0.0.1:PORT} of the PLAINTEXT listener: for tests' own set-up and checks only. */
  public String plaintextBootstrapServers() {
    return broker.bootstrapServers();
  }

  /** The SASL/PLAIN user of the SASL_SSL listener, as a managed service's API key. */
  public String plainUser() {
    return plainUser;
  }

  /** The SASL/PLAIN user's password, as a managed service's API secret. */
  public String plainPassword() {
    return plainPassword;
  }

  /** Creates the SCRAM-SHA-512 user, or gives it a new password; see {@link EmbeddedKafka}. */
  public void upsertScramUser(String user, String password) {
    broker.upsertScramUser(user, password);
  }

  /**
   * New topics on this broker named as the service names them: the order topic with {@code
   * partitions} partitions, its {@code .dlq} with one, and a group of its own.
   */
  public TestTopics newTopics(String prefix, int partitions) {
    String topic = UniqueNames.withPrefix(prefix);
    TestTopics names = new TestTopics(topic, topic + ".dlq", topic + "-group");
    broker.createTopic(names.topic(), partitions);
    broker.createTopic(names.deadLetterTopic(), 1);
    return names;
  }

  /**
   * Sends {@code records} over the PLAINTEXT listener and waits for every acknowledgement
   * (acks=all).
   */
  public void produce(List<ProducerRecord<byte[], byte[]>> records) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            plaintextBootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            (int) TIMEOUT.toMillis());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      records.forEach(r -> acks.add(producer.send(r)));
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not produce the test records", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every record of {@code topic} so far, read over the PLAINTEXT listener. */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            plaintextBootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) TIMEOUT.toMillis());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " within " + TIMEOUT);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private static Path temporaryDirectory() {
    try {
      Path directory = Files.createTempDirectory("order-secured-kafka-");
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> deleteQuietly(directory), "secured-kafka-files"));
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // At exit; a left-over temporary directory is the worst outcome.
    }
  }

  private static String randomHex() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
