package dev.orderservice.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The secured broker's listeners let in exactly the clients with the right credentials. */
class SecuredKafkaTest {

  private static final SecuredKafka KAFKA = SecuredKafka.instance();

  @Test
  void aScramUserMadeThroughTheAdminApiWritesOverSaslSsl() throws Exception {
    KAFKA.upsertScramUser("writer", "scram-secret-1");
    String topic = KAFKA.newTopics("sasl", 1).topic();

    send(saslSsl("SCRAM-SHA-512", scramLogin("writer", "scram-secret-1")), topic, "via-scram");

    assertThat(KAFKA.readAll(topic))
        .extracting(r -> new String(r.value(), UTF_8))
        .containsExactly("via-scram");
  }

  @Test
  void aWrongScramPasswordIsRefusedAsAnAuthenticationFailure() {
    KAFKA.upsertScramUser("guarded", "right-password");
    String topic = KAFKA.newTopics("sasl-wrong", 1).topic();

    assertThatThrownBy(
            () ->
                send(saslSsl("SCRAM-SHA-512", scramLogin("guarded", "wrong-password")), topic, "x"))
        .matches(SecuredKafkaTest::refusedAuthentication, "an authentication failure");
  }

  @Test
  void thePlainUserWritesOverSaslSsl() throws Exception {
    String topic = KAFKA.newTopics("plain", 1).topic();
    String login =
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + KAFKA.plainUser()
            + "\" password=\""
            + KAFKA.plainPassword()
            + "\";";

    send(saslSsl("PLAIN", login), topic, "via-plain");

    assertThat(KAFKA.readAll(topic)).extracting(ConsumerRecord::value).hasSize(1);
  }

  @Test
  void theMutualTlsListenerTakesAClientCertificateAndRefusesAClientWithout() throws Exception {
    TestCertificates tls = KAFKA.certificates();
    String topic = KAFKA.newTopics("mtls", 1).topic();
    Map<String, Object> withoutCertificate = new HashMap<>();
    withoutCertificate.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.mutualTlsBootstrapServers());
    withoutCertificate.put("security.protocol", "SSL");
    withoutCertificate.put("ssl.truststore.type", "PEM");
    withoutCertificate.put("ssl.truststore.location", tls.caCertificate().toString());
    Map<String, Object> withCertificate = new HashMap<>(withoutCertificate);
    withCertificate.put("ssl.keystore.type", "PKCS12");
    withCertificate.put("ssl.keystore.location", tls.clientKeyStore().toString());
    withCertificate.put("ssl.keystore.password", tls.password());

    send(withCertificate, topic, "via-mtls");

    assertThat(KAFKA.readAll(topic)).hasSize(1);
    assertThatThrownBy(() -> send(withoutCertificate, topic, "x"))
        .matches(SecuredKafkaTest::refusedAuthentication, "an authentication failure");
  }

  private static Map<String, Object> saslSsl(String mechanism, String login) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.saslSslBootstrapServers());
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", mechanism);
    config.put("sasl.jaas.config", login);
    config.put("ssl.truststore.type", "PEM");
    config.put("ssl.truststore.location", KAFKA.certificates().caCertificate().toString());
    return config;
  }

  private static String scramLogin(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  private static void send(Map<String, Object> security, String topic, String value)
      throws Exception {
    Map<String, Object> config = new HashMap<>(security);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, value.getBytes(UTF_8))).get(15, TimeUnit.SECONDS);
    }
  }

  /** Whether {@code failure} or one of its causes is an authentication failure. */
  private static boolean refusedAuthentication(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException) {
        return true;
      }
    }
    return false;
  }
}
