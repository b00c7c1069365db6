package dev.orderservice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PromQL the deployment files under {@code deploy/} hold: every alert rule's {@code expr} and
 * every {@code expr} in the Grafana dashboard (panel targets, nested rows included), each with
 * where it came from so that a failing test can point at it.
 */
final class DeployQueries {

  /** Surefire runs in the module's directory; the deployment files sit at the reactor root. */
  static final Path ROOT = Path.of("..");

  static final Path ALERTS = ROOT.resolve("deploy/prometheus/alerts.yml");
  static final Path ALERT_TESTS = ROOT.resolve("deploy/prometheus/alerts.test.yml");
  static final Path PROMETHEUS_CONFIG = ROOT.resolve("deploy/prometheus/prometheus.yml");
  static final Path DASHBOARD = ROOT.resolve("deploy/grafana/order-service.json");

  /** One expression and where it is: {@code alerts.yml: IngestStalled} or a panel's title. */
  record Query(String where, String expr) {}

  private DeployQueries() {}

  static List<Query> all() {
    List<Query> queries = new ArrayList<>(alertRules());
    queries.addAll(dashboard());
    return queries;
  }

  static List<Query> alertRules() {
    List<Query> queries = new ArrayList<>();
    for (JsonNode group : yaml(ALERTS).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name =
            rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
        queries.add(new Query("alerts.yml: " + name, rule.path("expr").asText()));
      }
    }
    return queries;
  }

  static List<Query> dashboard() {
    List<Query> queries = new ArrayList<>();
    collect(json(DASHBOARD), "dashboard", queries);
    return queries;
  }

  static JsonNode yaml(Path file) {
    return read(new ObjectMapper(new YAMLFactory()), file);
  }

  static JsonNode json(Path file) {
    return read(Http.JSON, file);
  }

  /** Every textual {@code expr} below {@code node}, named after the nearest panel title. */
  private static void collect(JsonNode node, String where, List<Query> queries) {
    String here =
        node.path("title").isTextual() ? "dashboard: " + node.path("title").asText() : where;
    if (node.isObject()) {
      node.properties()
          .forEach(
              field -> {
                if (field.getKey().equals("expr") && field.getValue().isTextual()) {
                  queries.add(new Query(here, field.getValue().asText()));
                } else {
                  collect(field.getValue(), here, queries);
                }
              });
    } else if (node.isArray()) {
      node.forEach(element -> collect(element, here, queries));
    }
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    }
  }
}
