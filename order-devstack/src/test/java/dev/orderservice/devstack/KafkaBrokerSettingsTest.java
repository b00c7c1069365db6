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
}
