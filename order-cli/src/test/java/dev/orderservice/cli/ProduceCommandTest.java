package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProduceCommandTest {

  @TempDir Path dir;

  @Test
  void produceOfAThousandOrdersThenTheIngestStoresAThousand() throws Exception {
    String topic = TestBroker.newTopic("produce", 3);
    Cli.Run run =
        Cli.run(
            "produce",
            "--count",
            "1000",
            "--kafka",
            TestBroker.bootstrapServers(),
            "--topic",
            topic);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out())
        .contains("produced 1,000 orders in ")
        .contains("published to topic " + topic);
    assertThat(TestBroker.size(topic)).isEqualTo(1000);
    try (TestDatabase db = TestDatabase.fresh("produce").migrate();
        RunningTasks ingest =
            RunningTasks.of(
                TestIngest.into(db, topic, topic + ".dlq", topic + "-g", OrderCodec.standard()))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> db.count() == 1000);
    }
  }

  @Test
  void produceWithOutWritesNdjsonWithTheAskedShareOfBadRecordsAndPublishesNothing()
      throws IOException {
    Path file = dir.resolve("orders.ndjson");

    Cli.Run run =
        Cli.run(
            "produce",
            "--count",
            "200",
            "--invalid-ratio",
            "0.5",
            "--seed",
            "9",
            "--out",
            file.toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).doesNotContain("published").contains("wrote 200 lines of NDJSON");
    assertThat(Files.readAllLines(file)).hasSize(200);
    long bad =
        Files.readAllLines(file).stream()
            .filter(
                line ->
                    !(OrderCodec.standard().decode(line.getBytes(UTF_8))
                            instanceof DecodeResult.Decoded decoded
                        && new OrderValidator().validate(decoded.order()).isEmpty()))
            .count();
    assertThat(bad).isEqualTo(100);
    assertThat(run.out())
        .contains("(100 bad: 34 broken e-mail, 33 truncated JSON, 33 missing field)");
  }
}
