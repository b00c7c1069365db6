package dev.orderservice.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

class SettingsTest {

  /** A runner with two settings under flags of its own, one inherited by its subcommand. */
  @Command(name = "runner", subcommands = Sub.class)
  static final class Runner implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return 0;
    }
  }

  @Command(name = "sub")
  static final class Sub implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return 0;
    }
  }

  private static CommandLine runner(Map<String, String> env) {
    CommandLine cli = new CommandLine(new Runner());
    CommandSpec spec = cli.getCommandSpec();
    spec.addOption(
        SettingOptions.option(Settings.KAFKA_TOPIC, "--topic")
            .scopeType(ScopeType.INHERIT)
            .build());
    spec.addOption(SettingOptions.option(Settings.DB_DSN, "--db").build());
    spec.addOption(SettingOptions.option(Settings.KAFKA_BROKER).build());
    cli.setDefaultValueProvider(SettingOptions.environment(env));
    return cli;
  }

  private static SettingValues parse(Map<String, String> env, String... args) {
    CommandLine cli = runner(env);
    cli.parseArgs(args);
    return SettingOptions.values(cli.getCommandSpec());
  }

  @Test
  void aFlagWinsOverItsVariableWhichWinsOverTheDefault() {
    assertThat(parse(Map.of()).get(Settings.KAFKA_TOPIC)).isEqualTo("orders");
    assertThat(parse(Map.of("KAFKA_TOPIC", "env")).get(Settings.KAFKA_TOPIC)).isEqualTo("env");
    assertThat(parse(Map.of("KAFKA_TOPIC", "env"), "--topic", "flag").get(Settings.KAFKA_TOPIC))
        .isEqualTo("flag");
  }

  @Test
  void theFirstVariableThatIsSetAndNotBlankWins() {
    assertThat(parse(Map.of("KAFKA_BROKERS", "b:9093")).get(Settings.KAFKA_BROKER))
        .contains("b:9093");
    assertThat(
            parse(Map.of("KAFKA_BROKER", "a:9092", "KAFKA_BROKERS", "b:9093"))
                .get(Settings.KAFKA_BROKER))
        .contains("a:9092");
    assertThat(
            parse(Map.of("KAFKA_BROKER", " ", "KAFKA_BROKERS", "b:9093"))
                .get(Settings.KAFKA_BROKER))
        .contains("b:9093");
  }

  @Test
  void anOptionalSettingThatIsUnsetOrBlankIsEmpty() {
    assertThat(parse(Map.of()).get(Settings.DB_DSN)).isEmpty();
    assertThat(parse(Map.of("DB_DSN", " ")).get(Settings.DB_DSN)).isEmpty();
    assertThat(parse(Map.of(), "--db", "").get(Settings.DB_DSN)).isEmpty();
  }

  @Test
  void anInheritedSettingGivenAfterTheSubcommandIsTheCommandsToo() {
    CommandLine cli = runner(Map.of());
    cli.parseArgs("sub", "--topic", "later");

    assertThat(SettingOptions.values(cli.getCommandSpec()).get(Settings.KAFKA_TOPIC))
        .isEqualTo("later");
    CommandSpec sub = cli.getSubcommands().get("sub").getCommandSpec();
    assertThat(SettingOptions.values(sub).get(Settings.KAFKA_TOPIC)).isEqualTo("later");
  }

  @Test
  void aBadValueIsOneLineNamingTheVariableAndTheRunnersFlag() {
    assertThatThrownBy(() -> parse(Map.of("KAFKA_TOPIC", "my orders")).get(Settings.KAFKA_TOPIC))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "invalid KAFKA_TOPIC (--topic) \"my orders\": a topic name is 1..249 characters of"
                + " [A-Za-z0-9._-], not \".\" or \"..\"");
  }

  @Test
  void aSecretValueIsNeverRepeated() {
    assertThatThrownBy(() -> parse(Map.of("DB_DSN", "mysql://u:hunter2@h/db")).get(Settings.DB_DSN))
        .hasMessageStartingWith("invalid DB_DSN (--db): ")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aLongOrMultiLineValueIsEchoedOnOneShortLine() {
    String value = "line\none" + "x".repeat(200);

    assertThatThrownBy(() -> parse(Map.of("KAFKA_TOPIC", value)).get(Settings.KAFKA_TOPIC))
        .hasMessageContaining("\"line?onexxx")
        .hasMessageContaining("...\": ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void theDeadLetterTopicIsTheTopicsOwnUnlessOneIsNamedThatIsNotTheTopic() {
    CommandLine cli = runner(Map.of());
    cli.getCommandSpec().addOption(SettingOptions.option(Settings.KAFKA_DLQ_TOPIC).build());

    cli.parseArgs("--topic", "crash");
    assertThat(Settings.deadLetterTopic(SettingOptions.values(cli.getCommandSpec())))
        .isEqualTo("crash.dlq");
    cli.parseArgs("--topic", "crash", "--kafka-dlq-topic", "rejects");
    assertThat(Settings.deadLetterTopic(SettingOptions.values(cli.getCommandSpec())))
        .isEqualTo("rejects");
    cli.parseArgs("--topic", "crash", "--kafka-dlq-topic", "crash");
    assertThatThrownBy(() -> Settings.deadLetterTopic(SettingOptions.values(cli.getCommandSpec())))
        .hasMessage(
            "invalid KAFKA_DLQ_TOPIC (--kafka-dlq-topic) \"crash\": must differ from the topic of"
                + " orders, or rejected records would be read again");
  }

  @Test
  void theHelpOfASettingNamesItsVariablesAndItsDefault() {
    assertThat(Settings.KAFKA_TOPIC.help())
        .isEqualTo("The topic of order documents (env KAFKA_TOPIC). Default: orders.");
    assertThat(Settings.KAFKA_BROKER.help())
        .isEqualTo(
            "Kafka bootstrap servers (env KAFKA_BROKER or KAFKA_BROKERS). Default: the embedded"
                + " broker on 127.0.0.1:9092.");
  }

  @Test
  void everyDefaultPassesItsOwnCheck() {
    for (Setting<?> setting : Settings.all()) {
      assertThat(setting.read(setting.flag(), null)).as(setting.variable()).isNotNull();
    }
    assertThat(Settings.HTTP_ADDR.read("--http-addr", null))
        .isEqualTo(InetSocketAddress.createUnresolved("0.0.0.0", 8080));
  }

  @Test
  void everyVariableAndFlagBelongsToOneSettingOnly() {
    Set<String> names = new HashSet<>();
    for (Setting<?> setting : Settings.all()) {
      assertThat(names.add(setting.flag())).as(setting.flag()).isTrue();
      for (String variable : setting.variables()) {
        assertThat(names.add(variable)).as(variable).isTrue();
      }
    }
  }

  @Test
  void aCommandWithoutTheSettingSaysSo() {
    assertThatThrownBy(() -> parse(Map.of()).get(Settings.API_TOKEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no option for API_TOKEN in runner");
  }

  @Test
  void optionsOfOtherKindsGetNoDefaultFromTheEnvironment() throws Exception {
    CommandLine cli = new CommandLine(new Runner());
    cli.getCommandSpec()
        .addOption(CommandLine.Model.OptionSpec.builder("--other").type(String.class).build());

    assertThat(
            SettingOptions.environment(Map.of("OTHER", "x"))
                .defaultValue(cli.getCommandSpec().findOption("--other")))
        .isNull();
  }
}
