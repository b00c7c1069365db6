package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus files under {@code deploy/}: every alert says how severe it is and what to check,
 * and has a unit test where it fires and one where it does not; then, with promtool, the config and
 * the rules it loads are valid, the unit tests of {@code alerts.test.yml} pass, and every query of
 * the Grafana dashboard is valid PromQL.
 *
 * <p>promtool comes with Debian's {@code prometheus} package. Where it is not installed, the tests
 * that need it pass and write a test note saying they did not run (a skipped test would read as
 * done in a report nobody opens). The system property {@code promtool} names the binary to run
 * instead of the first {@code promtool} on the PATH; {@code -Dpromtool=/nonexistent} shows what a
 * machine without it prints.
 */
class DeployConfigTest {

  @Test
  void everyAlertWaitsBeforeFiringAndSaysHowSevereItIsAndWhatToCheck() {
    JsonNode groups = DeployQueries.yaml(DeployQueries.ALERTS).path("groups");

    assertThat(groups).extracting(group -> group.path("name").asText()).contains("order-service");
    for (JsonNode rule : alertRules()) {
      String alert = rule.path("alert").asText();
      assertThat(rule.path("for").asText()).as("for: of " + alert).matches("[0-9]+[smh]");
      assertThat(rule.path("labels").path("severity").asText())
          .as("severity of " + alert)
          .isIn("critical", "warning");
      assertThat(rule.path("annotations").path("summary").asText())
          .as("summary of " + alert)
          .isNotBlank();
      assertThat(rule.path("annotations").path("description").asText())
          .as("description of " + alert)
          .containsIgnoringCase("check");
    }
  }

  @Test
  void everyAlertHasAUnitTestWhereItFiresAndOneWhereItDoesNot() {
    List<JsonNode> evaluations = evaluations();

    for (JsonNode rule : alertRules()) {
      String alert = rule.path("alert").asText();
      assertThat(evaluations)
          .as("a test where " + alert + " fires")
          .anyMatch(
              e -> e.path("alertname").asText().equals(alert) && !e.path("exp_alerts").isEmpty());
      assertThat(evaluations)
          .as("a test where " + alert + " does not fire")
          .anyMatch(
              e -> e.path("alertname").asText().equals(alert) && e.path("exp_alerts").isEmpty());
    }
  }

  @Test
  void prometheusAcceptsTheConfigAndTheAlertRules() throws Exception {
    Optional<Path> promtool = promtoolOrNote();
    if (promtool.isEmpty()) {
      return;
    }

    String rules = run(promtool.get(), "check", "rules", fromRoot(DeployQueries.ALERTS));
    assertThat(rules).contains("SUCCESS: " + alertRules().size() + " rules found");
    run(promtool.get(), "check", "config", fromRoot(DeployQueries.PROMETHEUS_CONFIG));
  }

  @Test
  void theAlertRulesPassTheirUnitTests() throws Exception {
    Optional<Path> promtool = promtoolOrNote();
    if (promtool.isEmpty()) {
      return;
    }

    assertThat(run(promtool.get(), "test", "rules", fromRoot(DeployQueries.ALERT_TESTS)))
        .contains("SUCCESS");
    int tests = DeployQueries.yaml(DeployQueries.ALERT_TESTS).path("tests").size();
    TestNotes.write(
        "promtool",
        String.format(
            "DeployConfigTest: promtool %s: %d alert rule tests passed (%d evaluations of %d"
                + " alerts)",
            version(promtool.get()), tests, evaluations().size(), alertRules().size()));
  }

  /**
   * Grafana sends the queries as they are, so a typo shows only as an empty panel. Each becomes a
   * recording rule of a scratch rule file, Grafana's interval variables replaced by a duration, for
   * promtool to parse.
   */
  @Test
  void everyDashboardQueryIsValidPromql(@TempDir Path scratch) throws Exception {
    Optional<Path> promtool = promtoolOrNote();
    if (promtool.isEmpty()) {
      return;
    }
    List<DeployQueries.Query> queries = DeployQueries.dashboard();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectNode file = yaml.createObjectNode();
    ObjectNode group = file.putArray("groups").addObject().put("name", "dashboard");
    ArrayNode rules = group.putArray("rules");
    for (int i = 0; i < queries.size(); i++) {
      rules
          .addObject()
          .put("record", "dashboard:query_" + i)
          .put("expr", queries.get(i).expr().replaceAll("\\$__[a-z_]+", "1m"));
    }
    Path rulesFile = scratch.resolve("dashboard-queries.yml");
    yaml.writeValue(rulesFile.toFile(), file);

    String output = run(promtool.get(), "check", "rules", rulesFile.toString());
    assertThat(output).contains("SUCCESS: " + queries.size() + " rules found");
  }

  private static List<JsonNode> alertRules() {
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode group : DeployQueries.yaml(DeployQueries.ALERTS).path("groups")) {
      group
          .path("rules")
          .forEach(
              rule -> {
                if (rule.has("alert")) {
                  rules.add(rule);
                }
              });
    }
    return rules;
  }

  /** Every {@code alert_rule_test} entry of every test in alerts.test.yml. */
  private static List<JsonNode> evaluations() {
    return StreamSupport.stream(
            DeployQueries.yaml(DeployQueries.ALERT_TESTS).path("tests").spliterator(), false)
        .flatMap(test -> StreamSupport.stream(test.path("alert_rule_test").spliterator(), false))
        .toList();
  }

  /** The promtool to run, or empty after writing the note that says the checks did not run. */
  private static Optional<Path> promtoolOrNote() {
    String named = System.getProperty("promtool", "");
    Optional<Path> promtool =
        named.isBlank()
            ? Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst()
            : Optional.of(Path.of(named).toAbsolutePath()).filter(Files::isExecutable);
    if (promtool.isEmpty()) {
      TestNotes.write(
          "promtool",
          "DeployConfigTest: Prometheus config, alert rule and dashboard query checks NOT run:"
              + " promtool not found "
              + (named.isBlank() ? "on the PATH" : "at " + named)
              + "; apt-get install prometheus");
    }
    return promtool;
  }

  /** {@code file} as promtool, run in the repository's root, reads it. */
  private static String fromRoot(Path file) {
    return DeployQueries.ROOT.relativize(file).toString();
  }

  /** The version promtool reports: the word after "version" on its first line. */
  private static String version(Path promtool) throws Exception {
    String first = run(promtool, "--version").lines().findFirst().orElse("");
    return first.replaceFirst("^.*?version\\s+(\\S+).*$", "$1");
  }

  /**
   * Runs promtool in the repository's root (so that paths read as in the README) and returns its
   * output, asserting it exited with 0 and showing the output if not.
   */
  private static String run(Path promtool, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    // Output to a file, not a pipe: a pipe nobody reads while waiting could fill and block it.
    Path output = Files.createTempFile("promtool", ".txt");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(DeployQueries.ROOT.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      boolean finished = process.waitFor(2, TimeUnit.MINUTES);
      if (!finished) {
        process.destroyForcibly();
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(finished)
          .as("%s finished within 2 minutes; output so far:%n%s", command, text)
          .isTrue();
      assertThat(process.exitValue())
          .as("exit code of %s; its output:%n%s", command, text)
          .isZero();
      return text;
    } finally {
      Files.delete(output);
    }
  }
}
