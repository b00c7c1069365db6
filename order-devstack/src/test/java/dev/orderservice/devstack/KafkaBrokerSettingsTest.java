package dev.orderservice.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaBrokerSettingsTest {

  private static final Path LOG = Path.of("/tmp/kafka-log");

  @Test
  void advertisesOnlyTheClientListenerAndKeepsTheControllerOnItsOwnPort() {
    Properties p = new KafkaBrokerSettings(1, false, Map.of()).brokerProperties(9092, 9093, LOG);

    assertThat(p)
        .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
        .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9092")
        .containsEntry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT")
        .containsEntry("controller.listener.names", "CONTROLLER")
        .containsEntry("inter.broker.listener.name", "PLAINTEXT")
        .containsEntry("controller.quorum.voters", "1@127.0.0.1:9093")
        .containsEntry("node.id", "1")
        .containsEntry("log.dirs", LOG.toString());
  }

  @Test
  void setsEveryInternalTopicUpForOneNode() {
    Properties p = new KafkaBrokerSettings(3, false, Map.of()).brokerProperties(9092, 9093, LOG);

    assertThat(p)
        .containsEntry("num.partitions", "3")
        .containsEntry("offsets.topic.replication.factor", "1")
        .containsEntry("transaction.state.log.min.isr", "1")
        .containsEntry("share.coordinator.state.topic.replication.factor", "1")
        .doesNotContainKey("broker.session.timeout.ms");
  }

  @Test
  void shortensTheBrokerSessionOnlyForAKeptLogDirectory() {
    Properties p = new KafkaBrokerSettings(1, true, Map.of()).brokerProperties(9092, 9093, LOG);

    assertThat(p).containsEntry("broker.session.timeout.ms", "3000");
  }

  @Test
  void appliesTheCallersSettingsOverEveryDefault() {
    Properties p =
        new KafkaBrokerSettings(1, true, Map.of("broker.session.timeout.ms", "9000", "x.y", "z"))
            .brokerProperties(9092, 9093, LOG);

    assertThat(p).containsEntry("broker.session.timeout.ms", "9000").containsEntry("x.y", "z");
  }

  @Test
  void makesEachClusterNodeAVoterOfOneQuorumWithThreeCopiesOfEveryPartition() {
    Properties p =
        new KafkaBrokerSettings(1, false, Map.of())
            .clusterNodeProperties(2, 9192, Map.of(1, 9093, 2, 9193, 3, 9293), LOG);

    assertThat(p)
        .containsEntry("node.id", "2")
        .containsEntry("process.roles", "broker,controller")
        .containsEntry(
            "controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293")
        .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193")
        .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9192")
        .containsEntry("default.replication.factor", "3")
        .containsEntry("min.insync.replicas", "2")
        .containsEntry("offsets.topic.replication.factor", "3")
        .containsEntry("transaction.state.log.replication.factor", "3")
        .containsEntry("transaction.state.log.min.isr", "2")
        .containsEntry("controlled.shutdown.enable", "false")
        .containsEntry("broker.session.timeout.ms", "3000");
  }

  @Test
  void appliesTheCallersSettingsOverTheClusterDefaultsToo() {
    Properties p =
        new KafkaBrokerSettings(1, false, Map.of("min.insync.replicas", "3"))
            .clusterNodeProperties(1, 9092, Map.of(1, 9093, 2, 9193, 3, 9293), LOG);

    assertThat(p).containsEntry("min.insync.replicas", "3");
  }
}
