package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    return Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsEverySettingWithItsVariableAndExitsWithZero() {
    assertThat(run(Map.of(), "--help")).isZero();

    assertThat(out.toString())
        .contains("Usage: order-server")
        .contains(
            "--db-dsn",
            "DB_DSN",
            "--kafka-broker",
            "KAFKA_BROKER",
            "--kafka-topic",
            "KAFKA_TOPIC",
            "--http-addr",
            "HTTP_ADDR",
            "--cache-max-entries",
            "CACHE_MAX_ENTRIES",
            "--api-token",
            "API_TOKEN",
            "--data-dir",
            "DATA_DIR",
            "--protect-reads",
            "PROTECT_READS",
            "--stream-heartbeat",
            "STREAM_HEARTBEAT");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void versionPrintsTheNameAndExitsWithZero() {
    assertThat(run(Map.of(), "--version")).isZero();

    assertThat(out.toString()).startsWith("order-server ");
  }

  @Test
  void anInvalidSettingPrintsOneLineAndExitsWithTwo() {
    assertThat(run(Map.of("HTTP_ADDR", ":99999"))).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "invalid HTTP_ADDR (--http-addr) \":99999\": port must be 0..65535"
                + System.lineSeparator());
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void protectingReadsWithoutATokenPrintsOneLineAndExitsWithTwo() {
    assertThat(run(Map.of("PROTECT_READS", "true"))).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "invalid PROTECT_READS (--protect-reads) \"true\": needs API_TOKEN"
                + " (--api-token): reads are protected by the same bearer token"
                + System.lineSeparator());
  }

  @Test
  void aClientPropertyThatWouldUndoAGuaranteeIsRefusedInOneLineWithExitTwo() {
    assertThat(run(Map.of("KAFKA_CLIENT_ENABLE_AUTO_COMMIT", "true"))).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "invalid enable.auto.commit \"true\" in KAFKA_CLIENT_ENABLE_AUTO_COMMIT: must be"
                + " false: offsets are committed by hand, after the batch is stored and"
                + " dead-lettered: never before"
                + System.lineSeparator());
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aRefusedClientPropertyInTheFileNamesTheFileAndNeverASecret(@TempDir Path dir)
      throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "sasl.jaas.config=PlainLoginModule required username=\"u\" password=\"hunter2\";\n"
                + "acks=1\n");

    assertThat(run(Map.of(), "--kafka-config", file.toString())).isEqualTo(2);

    assertThat(err.toString())
        .startsWith(
            "invalid acks \"1\" in KAFKA_CONFIG_FILE (--kafka-config) " + file + ": must be all: ")
        .doesNotContain("hunter2");
  }

  @Test
  void aKafkaConfigFileThatCannotBeReadIsAnInvalidSetting(@TempDir Path dir) {
    Path missing = dir.resolve("missing.properties");

    assertThat(run(Map.of("KAFKA_CONFIG_FILE", missing.toString()))).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "invalid KAFKA_CONFIG_FILE (--kafka-config) \""
                + missing
                + "\": no such file"
                + System.lineSeparator());
  }
}
