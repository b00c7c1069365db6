package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** Which failures are Kafka refusing the client, and how a refusal reads. */
class KafkaRefusalTest {

  @Test
  void wrongCredentialsAreAnAuthenticationRefusalInOneSentence() {
    KafkaRefusal refusal =
        KafkaRefusal.of(
                new SaslAuthenticationException(
                    "Authentication failed during authentication due to invalid credentials with"
                        + " SASL mechanism SCRAM-SHA-512"))
            .orElseThrow();

    assertThat(refusal.kind()).isEqualTo(KafkaRefusal.Kind.AUTHENTICATION);
    assertThat(refusal.sentence())
        .isEqualTo(
            "Kafka refused authentication: Authentication failed during authentication due to"
                + " invalid credentials with SASL mechanism SCRAM-SHA-512");
  }

  @Test
  void anInstanceIdStillHeldByACrashedMemberIsAMembershipRefusalToWaitOut() {
    KafkaRefusal refusal =
        KafkaRefusal.of(
                new org.apache.kafka.common.KafkaException(
                    new org.apache.kafka.common.errors.UnreleasedInstanceIdException(
                        "Static member abc with instance id host-8080 cannot join the group"
                            + " because the instance id is owned by def member.")))
            .orElseThrow();

    assertThat(refusal.kind()).isEqualTo(KafkaRefusal.Kind.MEMBERSHIP);
    assertThat(refusal.sentence())
        .startsWith("Kafka's group still holds this instance id")
        .contains("instance id host-8080");
  }

  @Test
  void aFailedHandshakeIsATlsRefusalSayingWhatTheHandshakeSaid() {
    SslAuthenticationException tls = new SslAuthenticationException("SSL handshake failed");
    tls.initCause(new SSLHandshakeException("PKIX path building failed"));

    KafkaRefusal refusal = KafkaRefusal.of(new KafkaException("wrapped", tls)).orElseThrow();

    assertThat(refusal.kind()).isEqualTo(KafkaRefusal.Kind.TLS);
    assertThat(refusal.sentence())
        .isEqualTo(
            "the TLS handshake with Kafka failed: SSL handshake failed: PKIX path building failed");
  }

  @Test
  void aMissingAclIsAnAuthorizationRefusalAlsoWhenItCameThroughAFuture() {
    KafkaRefusal topic =
        KafkaRefusal.of(
                new ExecutionException(new TopicAuthorizationException(Set.of("orders.dlq"))))
            .orElseThrow();
    KafkaRefusal group =
        KafkaRefusal.of(new GroupAuthorizationException("Not authorized to access group: g"))
            .orElseThrow();

    assertThat(topic.kind()).isEqualTo(KafkaRefusal.Kind.AUTHORIZATION);
    assertThat(topic.reason()).contains("orders.dlq");
    assertThat(group.sentence())
        .isEqualTo("Kafka refused access: Not authorized to access group: g");
  }

  @Test
  void otherFailuresAreNoRefusal() {
    assertThat(KafkaRefusal.of(new TimeoutException("no answer"))).isEmpty();
    assertThat(KafkaRefusal.of(new IllegalStateException())).isEmpty();
  }
}
