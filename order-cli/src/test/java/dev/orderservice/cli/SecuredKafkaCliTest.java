package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.testsupport.KafkaClientExamples;
import dev.orderservice.testsupport.SecuredKafka;
import dev.orderservice.testsupport.TestCertificates;
import dev.orderservice.testsupport.TestTopics;
import dev.orderservice.testsupport.UniqueNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * order-cli against a broker whose listeners are secured: SASL_SSL (SCRAM-SHA-512 and PLAIN) and
 * mutual TLS, set up with the README's examples ({@link KafkaClientExamples}) in {@code
 * --kafka-config} or {@code KAFKA_CLIENT_*}. What it writes and reads is checked over the broker's
 * PLAINTEXT listener.
 */
class SecuredKafkaCliTest {

  private static final SecuredKafka KAFKA = SecuredKafka.instance();

  @TempDir Path files;

  @Test
  void producesAndReplaysTheDeadLetterTopicOverSaslScram() throws IOException {
    String user = UniqueNames.withPrefix("cli");
    String password = secret("scram");
    KAFKA.upsertScramUser(user, password);
    Path clientFile =
        write(
            "client.properties",
            KafkaClientExamples.scramOverTls(user, password, KAFKA.certificates().caCertificate()));
    TestTopics topics = KAFKA.newTopics("cli-sasl", 3);
    List<ProducerRecord<byte[], byte[]>> letters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ProducerRecord<byte[], byte[]> letter =
          new ProducerRecord<>(
              topics.deadLetterTopic(),
              ("uid-" + i).getBytes(UTF_8),
              ("{\"order_uid\":\"uid-" + i + "\"").getBytes(UTF_8));
      letter.headers().add("__connect.errors.stage", "VALUE_CONVERTER".getBytes(UTF_8));
      letters.add(letter);
    }
    KAFKA.produce(letters);

    Cli.Run produced =
        Cli.run(
            "produce",
            "--kafka",
            KAFKA.saslSslBootstrapServers(),
            "--kafka-config",
            clientFile.toString(),
            "--topic",
            topics.topic(),
            "--count",
            "40",
            "--invalid-ratio",
            "0.1",
            "--seed",
            "7");
    Cli.Run replayed =
        Cli.run(
            "replay",
            "--from-dlq",
            "--kafka",
            KAFKA.saslSslBootstrapServers(),
            "--kafka-config",
            clientFile.toString(),
            "--topic",
            topics.topic());

    assertThat(produced.exitCode()).as(produced.err()).isEqualTo(ExitCode.OK);
    assertThat(replayed.exitCode()).as(replayed.err()).isEqualTo(ExitCode.OK);
    assertThat(replayed.out())
        .contains(
            "republished 3 of 3 dead letters from "
                + topics.deadLetterTopic()
                + " to "
                + topics.topic());
    List<ConsumerRecord<byte[], byte[]>> written = KAFKA.readAll(topics.topic());
    assertThat(written).hasSize(43);
    assertThat(written).filteredOn(r -> new String(r.key(), UTF_8).startsWith("uid-")).hasSize(3);
    assertNoSecretIn(produced, password);
    assertNoSecretIn(replayed, password);
  }

  @Test
  void producesWithThePlainFileAManagedServiceHandsOutAndNothingElse() throws IOException {
    Path clientFile =
        write(
            "managed.properties",
            KafkaClientExamples.plainOverTls(
                KAFKA.saslSslBootstrapServers(),
                KAFKA.plainUser(),
                KAFKA.plainPassword(),
                KAFKA.certificates().caCertificate()));
    TestTopics topics = KAFKA.newTopics("cli-plain", 1);

    Cli.Run run =
        Cli.run(
            Map.of("KAFKA_CONFIG_FILE", clientFile.toString()),
            "produce",
            "--topic",
            topics.topic(),
            "--count",
            "5");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(KAFKA.readAll(topics.topic())).hasSize(5);
    assertNoSecretIn(run, KAFKA.plainPassword());
  }

  @Test
  void aWrongPasswordFailsWithOneLineAndExitCodeOne() {
    String user = UniqueNames.withPrefix("cli-wrong");
    KAFKA.upsertScramUser(user, secret("right"));
    String wrong = secret("wrong");
    TestTopics topics = KAFKA.newTopics("cli-wrong", 1);
    Map<String, String> env =
        new HashMap<>(
            KafkaClientExamples.scramOverTlsVariables(
                user, wrong, KAFKA.certificates().caCertificate()));
    env.put("KAFKA_BROKER", KAFKA.saslSslBootstrapServers());

    Cli.Run run = Cli.run(env, "produce", "--topic", topics.topic(), "--count", "1");
    Cli.Run verbose =
        Cli.run(env, "produce", "--topic", topics.topic(), "--count", "1", "--verbose");

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(errors(run))
        .as(run.err())
        .singleElement()
        .satisfies(line -> assertThat(line).containsIgnoringCase("authentication"));
    assertThat(verbose.exitCode()).isEqualTo(ExitCode.FAILED);
    assertNoSecretIn(run, wrong);
    assertNoSecretIn(verbose, wrong);
    assertThat(KAFKA.readAll(topics.topic())).isEmpty();
  }

  @Test
  void producesWithItsCertificateOverMutualTlsAndFailsWithoutOne() throws IOException {
    TestCertificates tls = KAFKA.certificates();
    String example =
        KafkaClientExamples.mutualTls(tls.clientKeyStore(), tls.password(), tls.caCertificate());
    Path withCertificate = write("mtls.properties", example);
    Path withoutCertificate =
        write(
            "no-certificate.properties",
            example
                .lines()
                .filter(l -> !l.startsWith("ssl.key"))
                .collect(Collectors.joining("\n")));
    TestTopics topics = KAFKA.newTopics("cli-mtls", 1);

    Cli.Run accepted = produceOverMutualTls(withCertificate, topics);
    Cli.Run refused = produceOverMutualTls(withoutCertificate, topics);

    assertThat(accepted.exitCode()).as(accepted.err()).isEqualTo(ExitCode.OK);
    assertThat(KAFKA.readAll(topics.topic())).hasSize(4);
    assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(errors(refused)).as(refused.err()).hasSize(1);
    assertNoSecretIn(accepted, tls.password());
    assertNoSecretIn(refused, tls.password());
  }

  private static Cli.Run produceOverMutualTls(Path clientFile, TestTopics topics) {
    return Cli.run(
        "produce",
        "--kafka",
        KAFKA.mutualTlsBootstrapServers(),
        "--kafka-config",
        clientFile.toString(),
        "--topic",
        topics.topic(),
        "--count",
        "4");
  }

  /** The error lines of {@code run}'s stderr: progress lines aside, what order-cli says. */
  private static List<String> errors(Cli.Run run) {
    return run.err().lines().filter(line -> line.startsWith("order-cli:")).toList();
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(files.resolve(name), content);
  }

  private static void assertNoSecretIn(Cli.Run run, String secret) {
    assertThat(run.out()).doesNotContain(secret);
    assertThat(run.err()).doesNotContain(secret);
  }

  private static String secret(String prefix) {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return prefix + "-" + HexFormat.of().formatHex(bytes);
  }
}
