package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.OrderCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedded mode after a crash: a server killed with SIGKILL leaves no PostgreSQL behind that would
 * block the next start, so the next start on the same data directory is ready at the first try,
 * with the orders it had. (Kafka is the shared test broker: the embedded one would take the fixed
 * port 9092.)
 */
class EmbeddedModeCrashTest {

  @TempDir Path dataDir;

  @Test
  void aServerKilledWithSigkillStartsAgainAtTheFirstTryAndServesItsOrders() throws Exception {
    Map<String, String> env =
        Map.of(
            "KAFKA_BROKER", TestStack.kafkaBrokers(),
            "KAFKA_TOPIC", TestStack.newTopic("embedded-crash"),
            "HTTP_ADDR", "127.0.0.1:0",
            "DATA_DIR", dataDir.toString());
    try (ChildServer first = ChildServer.start("embedded-crash-0", env)) {
      Http http = first.awaitListening(Duration.ofSeconds(90));
      assertThat(http.upload(TestStack.sampleBytes()).statusCode()).isEqualTo(201);
      first.kill();
    }
    // Its PostgreSQL notices and stops by itself: no postmaster.pid is left to block a start.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !Files.exists(dataDir.resolve("postgres").resolve("postmaster.pid")));

    try (ChildServer second = ChildServer.start("embedded-crash-1", env)) {
      Http http = second.awaitListening(Duration.ofSeconds(90));
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> http.get("/readyz").statusCode() == 200);
      assertThat(http.get("/orders/b563feb7b2b84b6test").body())
          .isEqualTo(OrderCodec.standard().encode(TestStack.sampleOrder()));
      assertThat(second.log())
          .as("one start, no retry")
          .noneMatch(line -> line.contains("did not start"));
    }
  }
}
