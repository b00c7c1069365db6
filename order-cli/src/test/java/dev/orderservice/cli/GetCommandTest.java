package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.server.OrderServer;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.testsupport.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GetCommandTest {

  @TempDir Path dir;
  private TestDatabase db;
  private Order order;
  private String canonical;

  @BeforeEach
  void oneImportedOrder() throws IOException {
    db = TestDatabase.fresh("get");
    order = new RandomOrders(3).next();
    canonical = new String(OrderCodec.standard().encode(order), UTF_8);
    Path file = dir.resolve("one.json");
    Files.writeString(file, canonical);
    assertThat(Cli.run("import", "--db", db.url(), file.toString()).exitCode())
        .isEqualTo(ExitCode.OK);
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void getPrintsTheCanonicalJsonOfAStoredOrder() {
    Cli.Run run = Cli.run("--db", db.url(), "get", order.orderUid());

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).isEqualTo(canonical + System.lineSeparator());
    assertThat(run.err()).isEmpty();
  }

  @Test
  void getWithPrettyIndentsTheSameFieldsInTheSameOrder() throws IOException {
    Cli.Run run = Cli.run("get", "--pretty", order.orderUid(), "--db", db.url());

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(run.out())
        .startsWith("{" + System.lineSeparator() + "  \"order_uid\" : \"")
        .contains("\"items\" : [");
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(mapper.writeValueAsString(mapper.readTree(run.out()))).isEqualTo(canonical);
  }

  @Test
  void getOfAnUnknownOrderExitsWith3AndOneLineOnStderr() {
    Cli.Run run = Cli.run("get", "no-such-order", "--db", db.url());

    assertThat(run.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "order-cli: order no-such-order not found in the database" + System.lineSeparator());
  }

  @Test
  void getOfAMalformedUidIsAUsageError() {
    Cli.Run run = Cli.run("get", "not/a/uid", "--db", db.url());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err().lines()).hasSize(1);
  }

  @Test
  void getWithServerAsksTheRunningService() {
    String topic = TestBroker.newTopic("get-server", 1);
    OrderServer server =
        OrderServer.start(
            ServerOptions.parse(
                new String[] {
                  "--http-addr",
                  "127.0.0.1:0",
                  "--db-dsn",
                  db.url(),
                  "--kafka-broker",
                  TestBroker.bootstrapServers(),
                  "--kafka-topic",
                  topic,
                  "--kafka-group",
                  topic + "-group"
                },
                Map.of()));
    try {
      String url = server.baseUri().toString();

      Cli.Run found = Cli.run("get", order.orderUid(), "--server", url);
      Cli.Run missing = Cli.run("get", "no-such-order", "--server", url);

      assertThat(found.exitCode()).as(found.err()).isEqualTo(ExitCode.OK);
      assertThat(found.out()).isEqualTo(canonical + System.lineSeparator());
      assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
      assertThat(missing.err()).startsWith("order-cli: order no-such-order not found at ");
    } finally {
      server.close();
    }
  }
}
