package dev.orderservice.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.ingest.KafkaRefusal;
import dev.orderservice.ingest.OrderIngest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's Kafka client properties: the file, the variables over it, and what is refused. */
class KafkaClientConfigTest {

  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"orders\""
          + " password=\"s3cr3t-jaas\";";

  @TempDir Path dir;

  @Test
  void aVariableWinsOverTheFileAndTheRestOfTheFileStays() throws IOException {
    Path file =
        write(
            "security.protocol=SASL_PLAINTEXT",
            "sasl.mechanism=PLAIN",
            "ssl.truststore.location=/etc/kafka/ca.p12");

    KafkaClientConfig config =
        read(
            Optional.of(file),
            Map.of(
                "KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_CLIENT_SASL_MECHANISM", " SCRAM-SHA-512 ",
                "KAFKA_CLIENT_REQUEST_TIMEOUT_MS", "",
                "KAFKA_BROKER", "not-a-client-property:9092"));

    assertThat(config.properties())
        .containsOnly(
            Map.entry("security.protocol", "SASL_SSL"),
            Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
            Map.entry("ssl.truststore.location", "/etc/kafka/ca.p12"));
  }

  @Test
  void aVariableNamesItsPropertyWithUnderscoresForDotsAndTwoForAnUnderscore() {
    assertThat(KafkaClientConfig.propertyName("KAFKA_CLIENT_SASL_JAAS_CONFIG"))
        .isEqualTo("sasl.jaas.config");
    assertThat(KafkaClientConfig.propertyName("KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION"))
        .isEqualTo("ssl.truststore.location");
    assertThat(
            KafkaClientConfig.propertyName("KAFKA_CLIENT_CONFIG_PROVIDERS_VAULT_PARAM_SECRET__ID"))
        .isEqualTo("config.providers.vault.param.secret_id");
    assertThat(KafkaClientConfig.variableOf("config.providers.vault.param.secret_id"))
        .isEqualTo("KAFKA_CLIENT_CONFIG_PROVIDERS_VAULT_PARAM_SECRET__ID");
    assertThat(KafkaClientConfig.variableOf("sasl.jaas.config"))
        .isEqualTo("KAFKA_CLIENT_SASL_JAAS_CONFIG");
  }

  @Test
  void configProviderReferencesArePassedOnUnresolvedForTheClientsToResolve() {
    KafkaClientConfig config =
        read(
            Optional.empty(),
            Map.of(
                "KAFKA_CLIENT_CONFIG_PROVIDERS", "file",
                "KAFKA_CLIENT_CONFIG_PROVIDERS_FILE_CLASS",
                    "org.apache.kafka.common.config.provider.FileConfigProvider",
                "KAFKA_CLIENT_SASL_JAAS_CONFIG", "${file:/run/secrets/kafka.properties:jaas}"));

    assertThat(config.properties())
        .containsEntry("config.providers", "file")
        .containsEntry("sasl.jaas.config", "${file:/run/secrets/kafka.properties:jaas}");
    assertThat(config.toString())
        .contains("sasl.jaas.config=${file:/run/secrets/kafka.properties:jaas}");
  }

  @Test
  void bootstrapServersAreKeptApartForTheRunnerToUseWhenNoBrokerIsNamed() throws IOException {
    KafkaClientConfig config =
        read(Optional.of(write("bootstrap.servers=broker-1:9093,broker-2:9093")), Map.of());

    assertThat(config.bootstrapServers()).contains("broker-1:9093,broker-2:9093");
    assertThat(config.properties()).isEmpty();
  }

  @Test
  void theLogLineHidesEverySecretAndSaysWhereEachPropertyCameFrom() throws IOException {
    Path file = write("ssl.key.password=k3y-pass", "ssl.keystore.location=/etc/kafka/me.p12");
    KafkaClientConfig config =
        read(
            Optional.of(file),
            Map.of(
                "KAFKA_CLIENT_SASL_JAAS_CONFIG",
                JAAS,
                "KAFKA_CLIENT_SECURITY_PROTOCOL",
                "SASL_SSL"));

    assertThat(config.toString())
        .isEqualTo(
            "KAFKA_CONFIG_FILE "
                + file
                + ": sasl.jaas.config=[hidden] (KAFKA_CLIENT_SASL_JAAS_CONFIG),"
                + " security.protocol=SASL_SSL (KAFKA_CLIENT_SECURITY_PROTOCOL),"
                + " ssl.key.password=[hidden] (file),"
                + " ssl.keystore.location=/etc/kafka/me.p12 (file)")
        .doesNotContain("s3cr3t", "k3y-pass");
    assertThat(KafkaClientConfig.none()).hasToString("none");
  }

  @Test
  void anUnsafeOverrideIsRefusedNamingThePropertyWhereItCameFromAndWhy() {
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_ENABLE_AUTO_COMMIT", "true")))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "invalid enable.auto.commit \"true\" in KAFKA_CLIENT_ENABLE_AUTO_COMMIT: must be"
                + " false: offsets are committed by hand, after the batch is stored and"
                + " dead-lettered: never before");
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_ACKS", "1")))
        .hasMessageStartingWith("invalid acks \"1\" in KAFKA_CLIENT_ACKS: must be all: ");
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_ISOLATION_LEVEL", "read_uncommitted")))
        .hasMessageContaining("must be read_committed");
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_ENABLE_IDEMPOTENCE", "false")))
        .hasMessageContaining("must be true");
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_MAX_POLL_RECORDS", "100")))
        .hasMessageContaining("must be " + OrderIngest.DEFAULT_MAX_BATCH_SIZE);
    assertThatThrownBy(
            () ->
                safe(
                    Map.of(
                        "KAFKA_CLIENT_VALUE_DESERIALIZER",
                        "org.apache.kafka.common.serialization.StringDeserializer")))
        .hasMessageContaining(
            "must be org.apache.kafka.common.serialization.ByteArrayDeserializer");
  }

  @Test
  void theSafeValueItselfIsAllowedInAnySpelling() {
    assertThat(
            safe(Map.of(
                    "KAFKA_CLIENT_ENABLE_AUTO_COMMIT", "FALSE",
                    "KAFKA_CLIENT_ACKS", "-1",
                    "KAFKA_CLIENT_ENABLE_IDEMPOTENCE", "true",
                    "KAFKA_CLIENT_ISOLATION_LEVEL", "read_committed",
                    "KAFKA_CLIENT_KEY_SERIALIZER",
                        "org.apache.kafka.common.serialization.ByteArraySerializer"))
                .properties())
        .hasSize(5);
  }

  @Test
  void whatOurOwnSettingsSetIsRefusedAsAClientProperty() throws IOException {
    Path file = write("group.instance.id=host-1");

    assertThatThrownBy(
            () ->
                read(Optional.of(file), Map.of())
                    .requireSafe(OrderIngest.forcedSettings(OrderIngest.DEFAULT_MAX_BATCH_SIZE)))
        .hasMessage(
            "invalid group.instance.id \"host-1\" in KAFKA_CONFIG_FILE (--kafka-config) "
                + file
                + ": is set by KAFKA_INSTANCE_ID of order-server, not by a client property");
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_GROUP_ID", "other")))
        .hasMessageContaining("is set by KAFKA_GROUP");
  }

  @Test
  void aGuaranteedSettingFromAConfigProviderIsRefusedAsUncheckable() {
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_ACKS", "${file:/x.properties:acks}")))
        .hasMessageContaining("must be written out, not read from a config provider");
  }

  @Test
  void aRefusalNeverRepeatsASecretValue() {
    assertThatThrownBy(() -> safe(Map.of("KAFKA_CLIENT_BOOTSTRAP_SERVERS", "nonsense")))
        .hasMessageContaining("expected HOST:PORT");
    // A secret name is never echoed, even where the check is of another kind.
    assertThat(KafkaSecrets.shown("ssl.keystore.password", "pw")).isEqualTo("[hidden]");
  }

  @Test
  void anUnreadableFileIsAnInvalidSettingNamingTheFile() {
    Path missing = dir.resolve("missing.properties");

    assertThatThrownBy(() -> read(Optional.of(missing), Map.of()))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("file " + missing + ": no such file");
  }

  @Test
  void theHintForARefusalNamesTheVariablesToCheck() {
    assertThat(KafkaClientConfig.whatToCheck(KafkaRefusal.Kind.AUTHENTICATION))
        .contains("KAFKA_CLIENT_SASL_JAAS_CONFIG", "KAFKA_CONFIG_FILE");
    assertThat(KafkaClientConfig.whatToCheck(KafkaRefusal.Kind.TLS))
        .contains("KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION");
  }

  private KafkaClientConfig safe(Map<String, String> env) {
    return read(Optional.empty(), env)
        .requireSafe(OrderIngest.forcedSettings(OrderIngest.DEFAULT_MAX_BATCH_SIZE));
  }

  private static KafkaClientConfig read(Optional<Path> file, Map<String, String> env) {
    return KafkaClientConfig.read(
        file,
        "--kafka-config",
        why -> new InvalidSettingException("file " + file.get() + ": " + why),
        env);
  }

  private Path write(String... lines) throws IOException {
    return Files.write(dir.resolve("client.properties"), java.util.List.of(lines));
  }
}
