package dev.orderservice.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaBrokerSettingsTest {

  private static final Path LOG = Path.of("/tmp/kafka-log");

  @Test
  void opensEachSecuredListenerWithItsOwnPrefixedSecurity() {
    SecureListener sasl =
        SecureListener.saslSsl("SASL_SSL", Path.of("/c/server.p12"), Path.of("/c/trust.p12"), "pw")
            .withPlainUser("key", "secret");
    SecureListener mtls =
        SecureListener.mutualTls("MTLS", Path.of("/c/server.p12"), Path.of("/c/trust.p12"), "pw");
    Properties p =
        new KafkaBrokerSettings(1, false, Map.of(), List.of(sasl, mtls))
            .brokerProperties(9092, 9093, Map.of("SASL_SSL", 9094, "MTLS", 9095), LOG);

    assertThat(p)
        .containsEntry(
            "listeners",
            "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,SASL_SSL://127.0.0.1:9094,"
                + "MTLS://127.0.0.1:9095")
        .containsEntry(
            "advertised.listeners",
            "PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094,MTLS://127.0.0.1:9095")
        .containsEntry(
            "listener.security.protocol.map",
            "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL")
        .containsEntry("inter.broker.listener.name", "PLAINTEXT")
        .containsEntry("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN")
        .containsEntry(
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;")
        .containsEntry(
            "listener.name.sasl_ssl.plain.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " user_key=\"secret\";")
        .containsEntry("listener.name.sasl_ssl.ssl.keystore.location", "/c/server.p12")
        .containsEntry("listener.name.mtls.ssl.client.auth", "required")
        .containsEntry("listener.name.mtls.ssl.truststore.location", "/c/trust.p12")
        .doesNotContainKey("listener.name.sasl_ssl.ssl.client.auth");
    assertThat(sasl.toString()).doesNotContain("secret").doesNotContain("pw");
  }

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
