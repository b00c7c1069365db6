package dev.orderservice.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.ingest.KafkaRefusal;
import dev.orderservice.server.lifecycle.DependencyProblems.Dependency;
import dev.orderservice.server.lifecycle.DependencyProblems.Kind;
import org.junit.jupiter.api.Test;

/** The ingest's refusals as problems of Kafka, for /readyz and the log. */
class KafkaProblemsTest {

  private final DependencyProblems problems = new DependencyProblems();
  private final KafkaProblems kafka = new KafkaProblems(problems);

  @Test
  void aRefusalIsAProblemOfKafkaInOneSentenceWithWhatToCheck() {
    kafka.kafkaRefused(
        new KafkaRefusal(
            KafkaRefusal.Kind.AUTHENTICATION,
            "Authentication failed during authentication due to invalid credentials with SASL"
                + " mechanism SCRAM-SHA-512"));

    assertThat(problems.current())
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.dependency()).isEqualTo(Dependency.KAFKA);
              assertThat(problem.kind()).isEqualTo(Kind.AUTHENTICATION);
              assertThat(problem.reason())
                  .startsWith(
                      "Kafka refused authentication: Authentication failed during authentication")
                  .contains("(check sasl.mechanism and sasl.jaas.config")
                  .contains("KAFKA_CLIENT_SASL_JAAS_CONFIG")
                  .doesNotContain("\\n");
            });
  }

  @Test
  void eachKindOfRefusalKeepsItsKindAndAcceptanceClearsIt() {
    kafka.kafkaRefused(new KafkaRefusal(KafkaRefusal.Kind.TLS, "PKIX path building failed"));
    assertThat(problems.current()).singleElement().extracting(p -> p.kind()).isEqualTo(Kind.TLS);
    kafka.kafkaRefused(
        new KafkaRefusal(KafkaRefusal.Kind.AUTHORIZATION, "Not authorized to access group: g"));
    assertThat(problems.current())
        .singleElement()
        .extracting(p -> p.kind())
        .isEqualTo(Kind.AUTHORIZATION);

    kafka.kafkaAccepted();

    assertThat(problems.current()).isEmpty();
  }
}
