package dev.orderservice.server.lifecycle;

import dev.orderservice.ingest.IngestListener;
import dev.orderservice.ingest.KafkaRefusal;
import dev.orderservice.server.lifecycle.DependencyProblems.Dependency;
import dev.orderservice.server.lifecycle.DependencyProblems.Kind;
import dev.orderservice.settings.KafkaClientConfig;
import java.util.Objects;

/**
 * The ingest's word that Kafka refuses it, as a {@link DependencyProblems} problem of {@code
 * kafka}: one sentence with Kafka's reason and what to check, e.g. {@code Kafka refused
 * authentication: Authentication failed during authentication due to invalid credentials with SASL
 * mechanism SCRAM-SHA-512 (check sasl.mechanism and sasl.jaas.config, ...)}; cleared when Kafka
 * accepts the ingest again. Thread safe, as {@link DependencyProblems} is.
 */
public final class KafkaProblems implements IngestListener {

  private final DependencyProblems problems;

  public KafkaProblems(DependencyProblems problems) {
    this.problems = Objects.requireNonNull(problems, "problems");
  }

  @Override
  public void kafkaRefused(KafkaRefusal refusal) {
    problems.report(
        Dependency.KAFKA,
        kind(refusal.kind()),
        refusal.sentence() + " " + KafkaClientConfig.whatToCheck(refusal.kind()));
  }

  @Override
  public void kafkaAccepted() {
    problems.clear(Dependency.KAFKA);
  }

  private static Kind kind(KafkaRefusal.Kind kind) {
    return switch (kind) {
      case AUTHENTICATION -> Kind.AUTHENTICATION;
      case TLS -> Kind.TLS;
      case AUTHORIZATION -> Kind.AUTHORIZATION;
      case MEMBERSHIP -> Kind.MEMBERSHIP;
    };
  }
}
