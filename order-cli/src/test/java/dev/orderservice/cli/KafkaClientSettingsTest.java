package dev.orderservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.testsupport.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's Kafka clients take the user's client properties ({@code --kafka-config}, {@code
 * KAFKA_CLIENT_*}), config providers included, and refuse the same unsafe ones as the server.
 */
class KafkaClientSettingsTest {

  private static final String FILE_PROVIDER =
      "org.apache.kafka.common.config.provider.FileConfigProvider";

  @TempDir Path dir;

  @Test
  void anUnsafeClientPropertyIsAUsageErrorOnOneLine() {
    Cli.Run run =
        Cli.run(
            Map.of("KAFKA_CLIENT_ACKS", "1"),
            "produce",
            "--count",
            "1",
            "--kafka",
            TestBroker.bootstrapServers());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err().lines())
        .singleElement()
        .asString()
        .startsWith("order-cli: invalid acks \"1\" in KAFKA_CLIENT_ACKS: must be all: ");
  }

  @Test
  void theFileAndItsProvidersReachTheProducerAndVerboseListsThemWithSecretsHidden()
      throws IOException {
    String topic = TestBroker.newTopic("cli-kprops", 1);
    Path secrets = Files.writeString(dir.resolve("secrets.properties"), "clientId=cli-from-file\n");
    Path clientFile =
        Files.writeString(
            dir.resolve("client.properties"),
            "config.providers=file\n"
                + "config.providers.file.class="
                + FILE_PROVIDER
                + "\n"
                + "client.id=${file:"
                + secrets
                + ":clientId}\n"
                + "sasl.jaas.config=Login required password=\"cli-hunter2\";\n");

    Cli.Run run =
        Cli.run(
            Map.of("KAFKA_CONFIG_FILE", clientFile.toString()),
            "produce",
            "--count",
            "3",
            "--kafka",
            TestBroker.bootstrapServers(),
            "--topic",
            topic,
            "--verbose");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(TestBroker.size(topic)).isEqualTo(3);
    assertThat(run.err())
        .contains("order-cli: Kafka client settings: KAFKA_CONFIG_FILE " + clientFile)
        .contains("sasl.jaas.config=[hidden] (file)")
        .doesNotContain("cli-hunter2");
  }

  @Test
  void aProviderThatCannotResolveFailsTheCommandSoThePropertiesAreApplied() {
    Cli.Run run =
        Cli.run(
            Map.of(
                "KAFKA_CLIENT_CONFIG_PROVIDERS",
                "file",
                "KAFKA_CLIENT_CONFIG_PROVIDERS_FILE_CLASS",
                FILE_PROVIDER,
                "KAFKA_CLIENT_CLIENT_ID",
                "${file:" + dir.resolve("missing") + ":clientId}"),
            "produce",
            "--count",
            "1",
            "--kafka",
            TestBroker.bootstrapServers());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err()).startsWith("order-cli: Kafka failed: ");
  }

  @Test
  void aRefusalByKafkaIsOneLineSayingWhatToCheck() {
    assertThat(
            OrderCli.describe(
                new org.apache.kafka.common.errors.SaslAuthenticationException(
                    "Authentication failed: Invalid username or password")))
        .isEqualTo(
            "Kafka refused authentication: Authentication failed: Invalid username or password"
                + " (check sasl.mechanism and sasl.jaas.config, or the client certificate:"
                + " KAFKA_CLIENT_SASL_MECHANISM, KAFKA_CLIENT_SASL_JAAS_CONFIG,"
                + " KAFKA_CLIENT_SSL_KEYSTORE_LOCATION or KAFKA_CONFIG_FILE)");
  }
}
