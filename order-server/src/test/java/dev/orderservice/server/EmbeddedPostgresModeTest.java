package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.OrderCodec;
import dev.orderservice.server.config.ServerConfig;
import dev.orderservice.server.config.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without DB_DSN the server runs its own PostgreSQL with the data in DATA_DIR/postgres, so a
 * restart keeps the orders. (Kafka is the shared test broker here: the embedded one would take the
 * fixed port 9092.)
 */
class EmbeddedPostgresModeTest {

  @TempDir Path dataDir;

  @Test
  void withoutADatabaseSettingOrdersLiveInTheDataDirectoryAcrossRestarts() {
    String[] args = {
      "--http-addr", "127.0.0.1:0",
      "--kafka-broker", TestStack.kafkaBrokers(),
      "--kafka-topic", TestStack.newTopic("embedded"),
      "--data-dir", dataDir.toString()
    };
    ServerConfig config = ServerOptions.parse(args, Map.of());
    assertThat(config.embeddedDatabase()).isTrue();
    byte[] sample = TestStack.sampleBytes();

    try (OrderServer server = OrderServer.start(config)) {
      assertThat(new Http(server).upload(sample).statusCode()).isEqualTo(201);
    }
    assertThat(Files.exists(dataDir.resolve("postgres").resolve("PG_VERSION"))).isTrue();

    try (OrderServer restarted = OrderServer.start(config)) {
      Http http = new Http(restarted);
      assertThat(http.get("/orders/b563feb7b2b84b6test").body())
          .isEqualTo(OrderCodec.standard().encode(TestStack.sampleOrder()));
      assertThat(Http.json(http.upload(sample)).path("status").asText()).isEqualTo("DUPLICATE");
    }
  }
}
