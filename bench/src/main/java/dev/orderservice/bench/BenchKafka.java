package dev.orderservice.bench;

import dev.orderservice.devstack.EmbeddedKafka;
import java.util.Optional;

/**
 * The Kafka a benchmark runs against: the cluster named by {@code BENCH_KAFKA} (bootstrap servers),
 * or an embedded broker started for the run, in this JVM.
 */
final class BenchKafka implements AutoCloseable {

  private final Optional<EmbeddedKafka> embedded;
  private final String bootstrapServers;

  private BenchKafka(Optional<EmbeddedKafka> embedded, String bootstrapServers) {
    this.embedded = embedded;
    this.bootstrapServers = bootstrapServers;
  }

  static BenchKafka start() {
    String servers = System.getenv("BENCH_KAFKA");
    if (servers != null && !servers.isBlank()) {
      System.err.println("Kafka: external, from BENCH_KAFKA: " + servers.trim());
      return new BenchKafka(Optional.empty(), servers.trim());
    }
    EmbeddedKafka kafka = EmbeddedKafka.builder().build();
    kafka.start();
    System.err.println("Kafka: embedded, " + kafka);
    return new BenchKafka(Optional.of(kafka), kafka.bootstrapServers());
  }

  /** {@code host:port[,host:port...]}, for {@code bootstrap.servers}. */
  String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    embedded.ifPresent(EmbeddedKafka::close);
  }
}
