package dev.orderservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top command: its help, the settings it shares with the server, and its exit codes. */
class OrderCliTest {

  @TempDir Path dir;

  @Test
  void helpListsEveryExitCodeWithAUsageErrorApartFromRejectedOrders() {
    Cli.Run run = Cli.run("--help");

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(ExitCode.USAGE).isEqualTo(64).isNotEqualTo(ExitCode.REJECTED);
    assertThat(run.out())
        .contains("Exit codes:")
        .containsPattern("\\n +0 +done")
        .containsPattern("\\n +1 +operational error")
        .containsPattern("\\n +2 +some orders rejected")
        .containsPattern("\\n +3 +order not found")
        .containsPattern("\\n +64 +invalid command line or setting");
  }

  @Test
  void helpNamesTheVariableOfEachSharedSetting() {
    assertThat(Cli.run("--help").out())
        .contains("--db=DSN", "DB_DSN")
        .contains("--kafka=HOST:PORT[,...]", "KAFKA_BROKER", "KAFKA_BROKERS")
        .contains("--topic=TOPIC", "KAFKA_TOPIC")
        .contains("--unknown-fields=reject|ignore", "UNKNOWN_FIELDS");
    assertThat(Cli.run("replay", "--help").out()).contains("--dlq-topic=TOPIC", "KAFKA_DLQ_TOPIC");
  }

  @Test
  void anUnknownOptionIsAUsageErrorOnOneLine() {
    Cli.Run run = Cli.run("validate", "--bogus", "x.json");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err().lines())
        .singleElement()
        .asString()
        .startsWith("order-cli: Unknown option: '--bogus'")
        .endsWith("(see order-cli validate --help)");
  }

  @Test
  void anInvalidSettingIsAUsageErrorNamingTheVariableAndTheCliFlag() throws Exception {
    Path file = Files.writeString(dir.resolve("empty.json"), "[]");

    Cli.Run run = Cli.run(Map.of("UNKNOWN_FIELDS", "skip"), "validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .isEqualTo(
            "order-cli: invalid UNKNOWN_FIELDS (--unknown-fields) \"skip\": expected reject or"
                + " ignore"
                + System.lineSeparator());
  }

  @Test
  void anInvalidDsnIsAUsageErrorThatNeverRepeatsThePassword() {
    Cli.Run run = Cli.run(Map.of("DB_DSN", "mysql://u:hunter2@h/db"), "get", "some-order");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .startsWith("order-cli: invalid DB_DSN (--db): ")
        .doesNotContain("hunter2");
  }

  @Test
  void aFlagWinsOverTheVariableAndKafkaBrokersIsReadAsWellAsKafkaBroker() {
    OrderCli cli =
        parsed(Map.of("KAFKA_BROKERS", "a:9092", "KAFKA_TOPIC", "env"), "--topic", "flag");

    assertThat(cli.kafkaServers()).isEqualTo("a:9092");
    assertThat(cli.topic()).isEqualTo("flag");
    assertThat(parsed(Map.of()).kafkaServers()).isEqualTo("127.0.0.1:9092");
  }

  @Test
  void aDeadLetterTopicThatIsTheTopicItselfIsRefused() {
    Cli.Run run =
        Cli.run(
            Map.of("KAFKA_TOPIC", "orders", "KAFKA_DLQ_TOPIC", "orders"),
            "replay",
            "--from-dlq",
            "--dry-run");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .startsWith("order-cli: invalid KAFKA_DLQ_TOPIC (--dlq-topic) \"orders\": must differ");
  }

  private static OrderCli parsed(Map<String, String> env, String... args) {
    picocli.CommandLine cli = OrderCli.commandLine(env, false);
    cli.parseArgs(args);
    return cli.getCommand();
  }
}
