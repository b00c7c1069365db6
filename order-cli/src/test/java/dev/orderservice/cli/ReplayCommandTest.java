package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.testsupport.RunningTasks;
import dev.orderservice.testsupport.TestBroker;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplayCommandTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private TestDatabase db;

  @BeforeEach
  void freshDatabase() {
    db = TestDatabase.fresh("replay").migrate();
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void replayFromTheDeadLetterTopicAfterTheCauseIsFixedStoresTheOrders() throws Exception {
    String topic = TestBroker.newTopic("replay-dlq", 3);
    String dlq = TestBroker.newTopic("replay-dlq-dead", 1);
    RandomOrders random = new RandomOrders(11);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // a field this version of the model does not know yet
      Order order = random.next();
      String json = new String(OrderCodec.standard().encode(order), UTF_8);
      records.add(
          record(topic, order.orderUid(), json.replaceFirst("\\{", "{\"gift_note\":\"x\",")));
    }
    for (int i = 0; i < 2; i++) { // invalid whatever the codec: not to be replayed
      Order order = random.next();
      records.add(
          record(
              topic,
              order.orderUid(),
              new String(
                  ProduceCommand.spoiled(order, ProduceCommand.Defect.BROKEN_EMAIL), UTF_8)));
    }
    records.get(0).headers().add("trace-id", "abc".getBytes(UTF_8));
    TestBroker.produce(records);
    try (RunningTasks strict =
        RunningTasks.of(TestIngest.into(db, topic, dlq, topic + "-g", OrderCodec.standard()))) {
      await().atMost(WAIT).until(() -> TestBroker.size(dlq) == 22);
    }
    assertThat(db.count()).isZero();

    Cli.Run dryRun = replayDlq(topic, dlq, "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.err()).isEqualTo(ExitCode.OK);
    assertThat(dryRun.out())
        .contains("would republish 20 of 22 dead letters")
        .contains("VALUE_CONVERTER  20 to republish, 0 skipped")
        .contains("TRANSFORMATION   0 to republish, 2 skipped");
    assertThat(TestBroker.size(topic)).isEqualTo(22);

    OrderCodec fixed = OrderCodec.builder().ignoreUnknownFields(true).build();
    try (RunningTasks lenient =
        RunningTasks.of(TestIngest.into(db, topic, dlq, topic + "-g", fixed))) {
      Cli.Run run = replayDlq(topic, dlq);

      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
      assertThat(run.out())
          .contains("republished 20 of 22 dead letters from " + dlq + " to " + topic);
      await().atMost(WAIT).until(() -> db.count() == 20);
    }
    List<ConsumerRecord<byte[], byte[]>> republished =
        TestBroker.readAll(topic).stream()
            .filter(r -> new String(r.value(), UTF_8).contains("gift_note"))
            .toList();
    assertThat(republished).hasSize(40); // the 20 originals and their 20 copies
    assertThat(republished)
        .allSatisfy(
            r ->
                assertThat(r.headers().toArray())
                    .extracting(Header::key)
                    .noneMatch(k -> k.startsWith("__connect.errors.")));
    assertThat(republished).filteredOn(r -> r.headers().lastHeader("trace-id") != null).hasSize(2);
  }

  @Test
  void withoutADeadLetterTopicReplayReadsTheOneTheServerWritesForTheTopic() {
    String topic = TestBroker.newTopic("replay-default", 1);
    ProducerRecord<byte[], byte[]> letter =
        record(topic + ".dlq", "uid-1", "{\"order_uid\":\"uid-1\"");
    letter.headers().add("__connect.errors.stage", "VALUE_CONVERTER".getBytes(UTF_8));
    TestBroker.produce(List.of(letter));

    Cli.Run run =
        Cli.run("replay", "--from-dlq", "--kafka", TestBroker.bootstrapServers(), "--topic", topic);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out())
        .contains("republished 1 of 1 dead letters from " + topic + ".dlq to " + topic);
  }

  @Test
  void replayOfATopicRangeStoresNothingTwice() throws IOException {
    String topic = TestBroker.newTopic("replay-range", 3);
    Instant before = Instant.now().minusSeconds(60);
    Cli.Run produced =
        Cli.run(
            "produce",
            "--kafka",
            TestBroker.bootstrapServers(),
            "--topic",
            topic,
            "--count",
            "300",
            "--invalid-ratio",
            "0.1",
            "--seed",
            "5");
    assertThat(produced.exitCode()).as(produced.err()).isEqualTo(ExitCode.OK);

    Cli.Run dry =
        Cli.run(
            "replay",
            "--topic",
            topic,
            "--from-offset",
            "0",
            "--dry-run",
            "--kafka",
            TestBroker.bootstrapServers(),
            "--db",
            db.url());
    Cli.Run first =
        Cli.run(
            "replay",
            "--topic",
            topic,
            "--from-offset",
            "0",
            "--kafka",
            TestBroker.bootstrapServers(),
            "--db",
            db.url());
    Cli.Run second =
        Cli.run(
            "replay",
            "--topic",
            topic,
            "--from-timestamp",
            before.toString(),
            "--kafka",
            TestBroker.bootstrapServers(),
            "--db",
            db.url());

    assertThat(dry.out())
        .contains("checked 300 records of " + topic)
        .contains("270 valid, 30 invalid");
    assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCode.REJECTED);
    assertThat(first.out())
        .contains("replayed 300 records of " + topic)
        .contains("270 inserted, 0 duplicates, 0 conflicts, 30 invalid")
        .containsPattern("invalid +" + topic + "-\\d@\\d+");
    assertThat(second.out()).contains("0 inserted, 270 duplicates, 0 conflicts, 30 invalid");
    assertThat(db.count()).isEqualTo(270);
  }

  private static Cli.Run replayDlq(String topic, String dlq, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "replay",
                "--from-dlq",
                "--dlq-topic",
                dlq,
                "--stage",
                "VALUE_CONVERTER",
                "--kafka",
                TestBroker.bootstrapServers(),
                "--topic",
                topic));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
    return new ProducerRecord<>(topic, key.getBytes(UTF_8), value.getBytes(UTF_8));
  }
}
