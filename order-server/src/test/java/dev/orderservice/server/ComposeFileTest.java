package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.orderservice.server.config.ServerConfig;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.server.lifecycle.Tracing;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs where the tests run, so this reads docker-compose.yml and the Dockerfile
 * and checks them against the server itself: the variables compose sets are ones {@link
 * ServerOptions#parse} reads (asked of the parser, not listed here), the values parse, and ports,
 * credentials and listeners agree between the services. Prometheus and Grafana are checked against
 * the files under deploy/ they mount: Prometheus scrapes the service by its compose name and port,
 * and every file a container is to read exists in the repository where its mount says.
 */
class ComposeFileTest {

  /** Surefire runs in the module's directory; the deployment files sit at the reactor root. */
  private static final Path ROOT = Path.of("..");

  private static final String SERVICE = "order-service";
  private static final String POSTGRES = "postgres";
  private static final String KAFKA = "kafka";
  private static final String PROMETHEUS = "prometheus";
  private static final String GRAFANA = "grafana";
  private static final String JAEGER = "jaeger";

  /** Ports and paths the images use unless told otherwise (the compose file does not). */
  private static final int PROMETHEUS_PORT = 9090;

  private static final int GRAFANA_PORT = 3000;
  private static final int OTLP_HTTP_PORT = 4318;
  private static final int JAEGER_UI_PORT = 16686;
  private static final String GRAFANA_PROVISIONING = "/etc/grafana/provisioning";

  private static JsonNode compose;
  private static List<String> runtimeStage;

  @BeforeAll
  static void readDeploymentFiles() throws IOException {
    compose =
        new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
    runtimeStage = runtimeStage(Files.readAllLines(ROOT.resolve("Dockerfile")));
  }

  @Test
  void definesPostgresKafkaAndTheServiceBuiltFromTheDockerfile() {
    assertThat(compose.path("services").has(POSTGRES)).as("postgres service").isTrue();
    assertThat(compose.path("services").has(KAFKA)).as("kafka service").isTrue();
    JsonNode build = service(SERVICE).path("build");
    String context = build.isTextual() ? build.asText() : build.path("context").asText();
    assertThat(context).as("build context of " + SERVICE).isIn(".", "./");
    assertThat(service(POSTGRES).path("image").asText()).startsWith("postgres:17");
    assertThat(service(KAFKA).path("image").asText()).startsWith("apache/kafka:4.");
  }

  @Test
  void setsOnlyEnvironmentVariablesTheServerReads() {
    Set<String> read = variablesTheServerReads();
    Set<String> settings = new LinkedHashSet<>(environment(SERVICE).keySet());
    // OpenTelemetry's variables go to its SDK whole (Tracing): the config carries every one.
    settings.removeIf(name -> name.startsWith("OTEL_"));

    assertThat(read).as("variables ServerOptions.parse asks for").contains("DB_DSN", "HTTP_ADDR");
    assertThat(settings).isSubsetOf(read);
  }

  @Test
  void sendsTracesToTheJaegerServiceByOtlpOverHttp() {
    ServerConfig config = serviceConfig();
    URI endpoint = URI.create(config.otelVariables().get("OTEL_EXPORTER_OTLP_ENDPOINT"));

    assertThat(Tracing.isOn(config.otelVariables())).as("tracing on").isTrue();
    assertThat(endpoint.getHost()).isEqualTo(JAEGER);
    assertThat(endpoint.getPort()).as("OTLP/HTTP").isEqualTo(OTLP_HTTP_PORT);
    assertThat(service(JAEGER).path("image").asText())
        .matches("jaegertracing/all-in-one:\\d+\\.\\d+\\.\\d+");
    assertThat(publishedPorts(JAEGER)).contains(JAEGER_UI_PORT);
  }

  @Test
  void theServerAcceptsTheServiceEnvironmentAndUsesNoEmbeddedServer() {
    ServerConfig config = serviceConfig();

    assertThat(config.embeddedDatabase()).as("embedded database").isFalse();
    assertThat(config.embeddedKafka()).as("embedded Kafka").isFalse();
    assertThat(config.httpHost()).as("HTTP host inside the container").isEqualTo("0.0.0.0");
  }

  @Test
  void publishesTheHttpPortTheServerListensOnAndTheDockerfileExposes() {
    int port = serviceConfig().httpPort();

    assertThat(containerPorts(SERVICE)).contains(port);
    assertThat(instructions("EXPOSE")).containsExactly(String.valueOf(port));
    assertThat(String.join(" ", healthcheck(SERVICE))).contains(":" + port + "/healthz");
  }

  @Test
  void startsTheServiceOnlyOnceDatabaseAndBrokerReportHealthy() {
    JsonNode dependsOn = service(SERVICE).path("depends_on");

    for (String dependency : List.of(POSTGRES, KAFKA)) {
      assertThat(dependsOn.path(dependency).path("condition").asText())
          .as(SERVICE + " waits for " + dependency)
          .isEqualTo("service_healthy");
      assertThat(healthcheck(dependency)).as("health check of " + dependency).isNotEmpty();
    }
    assertThat(String.join(" ", healthcheck(POSTGRES))).contains("pg_isready");
  }

  @Test
  void connectsToThePostgresServiceWithItsDatabaseUserAndPassword() {
    URI dsn = URI.create(environment(SERVICE).get("DB_DSN"));
    Map<String, String> postgres = environment(POSTGRES);
    String[] userInfo = dsn.getRawUserInfo().split(":", 2);

    // The postgres image listens on 5432 unless PGPORT says otherwise; so does a DSN without port.
    int listening = Integer.parseInt(postgres.getOrDefault("PGPORT", "5432"));

    assertThat(dsn.getHost()).isEqualTo(POSTGRES);
    assertThat(dsn.getPort() == -1 ? 5432 : dsn.getPort()).isEqualTo(listening);
    assertThat(containerPorts(POSTGRES)).as("container ports of postgres").contains(listening);
    assertThat(dsn.getPath()).isEqualTo("/" + postgres.get("POSTGRES_DB"));
    assertThat(decode(userInfo[0])).isEqualTo(postgres.get("POSTGRES_USER"));
    assertThat(decode(userInfo[1])).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
  }

  @Test
  void consumesFromAListenerTheKafkaServiceAdvertisesAndListensOn() {
    Map<String, String> kafka = environment(KAFKA);
    Map<String, String> advertised = listeners(kafka.get("KAFKA_ADVERTISED_LISTENERS"));
    Map<String, String> bound = listeners(kafka.get("KAFKA_LISTENERS"));
    String broker = serviceConfig().kafkaBootstrapServers().orElseThrow();

    assertThat(advertised).containsValue(broker);
    String listener =
        advertised.entrySet().stream()
            .filter(e -> e.getValue().equals(broker))
            .findFirst()
            .orElseThrow()
            .getKey();
    assertThat(port(bound.get(listener)))
        .as("port of listener " + listener)
        .isEqualTo(port(broker));
    assertThat(broker).startsWith(KAFKA + ":");
  }

  @Test
  void publishesTheKafkaListenerAdvertisedToTheHost() {
    Map<String, String> advertised =
        listeners(environment(KAFKA).get("KAFKA_ADVERTISED_LISTENERS"));

    List<Integer> hostPorts =
        advertised.values().stream()
            .filter(address -> address.startsWith("localhost:"))
            .map(ComposeFileTest::port)
            .toList();
    assertThat(hostPorts).as("listeners advertised as localhost").isNotEmpty();
    assertThat(publishedPorts(KAFKA)).containsAll(hostPorts);
  }

  @Test
  void runsTheServerJarAsANonRootUser() {
    assertThat(instructions("USER"))
        .isNotEmpty()
        .last()
        .asString()
        .doesNotStartWith("root")
        .doesNotStartWith("0:")
        .isNotEqualTo("0");
    assertThat(instructions("COPY"))
        .anyMatch(
            copy ->
                copy.startsWith("--from=")
                    && copy.contains("order-server/target/order-server-production.jar"));
    assertThat(instructions("ENTRYPOINT")).singleElement().asString().contains("order-server.jar");
  }

  @Test
  void copiesEveryModulePomIntoTheDependencyLayer() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    Matcher module =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    List<String> missing = new ArrayList<>();
    while (module.find()) {
      String copy = "COPY " + module.group(1) + "/pom.xml " + module.group(1) + "/";
      if (!dockerfile.contains(copy)) {
        missing.add(copy);
      }
    }
    assertThat(missing).as("COPY lines missing from the Dockerfile").isEmpty();
  }

  @Test
  void prometheusScrapesTheServiceAtItsComposeNameAndTheServersPort() throws IOException {
    JsonNode job = scrapeJob(DeployQueries.yaml(DeployQueries.PROMETHEUS_CONFIG), SERVICE);
    List<String> targets = new ArrayList<>();
    job.path("static_configs")
        .forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText())));

    assertThat(targets).containsExactly(SERVICE + ":" + serviceConfig().httpPort());
    assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
    assertThat(Files.readString(DeployQueries.ALERTS))
        .as("the alert rules select the scrape job by its name")
        .contains("job=\"" + SERVICE + "\"");
  }

  @Test
  void prometheusReadsItsConfigAndTheRuleFilesFromTheRepository() {
    String config =
        arguments(PROMETHEUS).stream()
            .filter(argument -> argument.startsWith("--config.file="))
            .map(argument -> argument.substring("--config.file=".length()))
            .findFirst()
            .orElse("/etc/prometheus/prometheus.yml");

    assertThat(hostPath(PROMETHEUS, config))
        .as("where " + config + " comes from")
        .contains(DeployQueries.PROMETHEUS_CONFIG.normalize());
    // Relative rule files are resolved against the config file's folder, inside the container.
    for (JsonNode rules : DeployQueries.yaml(DeployQueries.PROMETHEUS_CONFIG).path("rule_files")) {
      String inContainer = Path.of(config).resolveSibling(rules.asText()).toString();
      assertThat(hostPath(PROMETHEUS, inContainer))
          .as("where the rule file " + inContainer + " comes from")
          .contains(DeployQueries.ALERTS.normalize());
    }
    assertThat(publishedPorts(PROMETHEUS)).contains(PROMETHEUS_PORT);
  }

  @Test
  void grafanaProvisionsTheDataSourceAndTheDashboardFromTheRepository() {
    Path provisioning = DeployQueries.ROOT.resolve("deploy/grafana/provisioning").normalize();
    JsonNode dataSource =
        DeployQueries.yaml(provisioning.resolve("datasources/prometheus.yml"))
            .path("datasources")
            .path(0);
    String dashboards =
        DeployQueries.yaml(provisioning.resolve("dashboards/order-service.yml"))
            .path("providers")
            .path(0)
            .path("options")
            .path("path")
            .asText();
    URI prometheus = URI.create(dataSource.path("url").asText());

    assertThat(hostPath(GRAFANA, GRAFANA_PROVISIONING)).contains(provisioning);
    assertThat(hostPath(GRAFANA, dashboards + "/order-service.json"))
        .as("the dashboard in the folder the provider reads, " + dashboards)
        .contains(DeployQueries.DASHBOARD.normalize());
    assertThat(prometheus.getHost()).isEqualTo(PROMETHEUS);
    assertThat(prometheus.getPort()).isEqualTo(PROMETHEUS_PORT);
    assertThat(containerPorts(PROMETHEUS)).contains(PROMETHEUS_PORT);
    assertThat(publishedPorts(GRAFANA)).contains(GRAFANA_PORT);
    JsonNode dependsOn = service(GRAFANA).path("depends_on");
    // depends_on is a list of names or a map of name to condition.
    List<String> dependencies = new ArrayList<>();
    if (dependsOn.isArray()) {
      dependsOn.forEach(name -> dependencies.add(name.asText()));
    } else {
      dependsOn.fieldNames().forEachRemaining(dependencies::add);
    }
    assertThat(dependencies).as(GRAFANA + " depends on").contains(PROMETHEUS);
  }

  @Test
  void everyFilePrometheusAndGrafanaMountExistsInTheRepository() {
    for (String name : List.of(PROMETHEUS, GRAFANA)) {
      List<Mount> mounts = bindMounts(name);
      assertThat(mounts).as("bind mounts of " + name).isNotEmpty();
      for (Mount mount : mounts) {
        assertThat(ROOT.resolve(mount.source()))
            .as("source of " + name + "'s mount at " + mount.target())
            .exists();
      }
    }
    String home = environment(GRAFANA).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
    if (home != null) {
      assertThat(hostPath(GRAFANA, home)).as("Grafana's home dashboard " + home).isPresent();
    }
  }

  @Test
  void pinsTheVersionsOfPrometheusAndGrafana() {
    assertThat(service(PROMETHEUS).path("image").asText())
        .matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+");
    assertThat(service(GRAFANA).path("image").asText())
        .matches("grafana/grafana:\\d+\\.\\d+\\.\\d+");
  }

  /**
   * The variables {@link ServerOptions#parse} consults, found by handing it an empty environment
   * that notes every name asked for: with nothing set, every fallback is consulted too.
   */
  private static Set<String> variablesTheServerReads() {
    Set<String> asked = new LinkedHashSet<>();
    Map<String, String> noting =
        new HashMap<>() {
          @Override
          public String get(Object key) {
            asked.add((String) key);
            return super.get(key);
          }

          @Override
          public String getOrDefault(Object key, String defaultValue) {
            asked.add((String) key);
            return super.getOrDefault(key, defaultValue);
          }

          @Override
          public boolean containsKey(Object key) {
            asked.add((String) key);
            return super.containsKey(key);
          }
        };
    ServerOptions.parse(new String[0], noting);
    return asked;
  }

  /** The service's environment as compose hands it over ({@code ${X:-default}} unset: default). */
  private static ServerConfig serviceConfig() {
    return ServerOptions.parse(new String[0], environment(SERVICE));
  }

  private static JsonNode service(String name) {
    JsonNode service = compose.path("services").path(name);
    assertThat(service.isObject()).as("service " + name).isTrue();
    return service;
  }

  /** A service's environment, in either compose form (map or list of NAME=value), interpolated. */
  private static Map<String, String> environment(String name) {
    JsonNode environment = service(name).path("environment");
    Map<String, String> variables = new LinkedHashMap<>();
    if (environment.isArray()) {
      environment.forEach(
          entry -> {
            String[] pair = entry.asText().split("=", 2);
            variables.put(pair[0], pair.length == 2 ? interpolate(pair[1]) : "");
          });
    } else {
      environment
          .properties()
          .forEach(e -> variables.put(e.getKey(), interpolate(e.getValue().asText())));
    }
    return variables;
  }

  /** Compose's {@code ${NAME:-default}} and {@code ${NAME}} with nothing set in the shell. */
  private static String interpolate(String value) {
    return value.replaceAll("\\$\\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?}", "$1");
  }

  private static List<Integer> containerPorts(String name) {
    return ports(name, false);
  }

  private static List<Integer> publishedPorts(String name) {
    return ports(name, true);
  }

  /**
   * Short syntax {@code [ip:]published:target[/proto]} or long syntax {@code {published, target}}.
   */
  private static List<Integer> ports(String name, boolean published) {
    List<Integer> ports = new ArrayList<>();
    for (JsonNode port : service(name).path("ports")) {
      if (port.isObject()) {
        ports.add(port.path(published ? "published" : "target").asInt());
      } else {
        String[] parts = port.asText().replaceAll("/.*$", "").split(":");
        ports.add(Integer.parseInt(published ? parts[parts.length - 2] : parts[parts.length - 1]));
      }
    }
    return ports;
  }

  private static List<String> healthcheck(String name) {
    JsonNode test = service(name).path("healthcheck").path("test");
    List<String> words = new ArrayList<>();
    if (test.isArray()) {
      test.forEach(word -> words.add(word.asText()));
    } else if (test.isTextual()) {
      words.add(test.asText());
    }
    return words;
  }

  /**
   * A bind mount: a path of the repository (relative to the compose file) seen at {@code target}.
   */
  private record Mount(String source, String target) {}

  /** Bind mounts in short syntax ({@code ./src:/target[:ro]}) or long ({@code type: bind}). */
  private static List<Mount> bindMounts(String name) {
    List<Mount> mounts = new ArrayList<>();
    for (JsonNode volume : service(name).path("volumes")) {
      if (volume.isObject() && volume.path("type").asText().equals("bind")) {
        mounts.add(new Mount(volume.path("source").asText(), volume.path("target").asText()));
      } else if (volume.isTextual() && volume.asText().matches("^[./].*")) {
        String[] parts = volume.asText().split(":");
        mounts.add(new Mount(parts[0], parts[1]));
      }
    }
    return mounts;
  }

  /**
   * The repository's path that a service's container sees at {@code containerPath}, through the
   * bind mount nearest to it; empty when no bind mount holds it.
   */
  private static Optional<Path> hostPath(String name, String containerPath) {
    Path inside = Path.of(containerPath).normalize();
    Optional<Mount> nearest =
        bindMounts(name).stream()
            .filter(mount -> inside.startsWith(Path.of(mount.target())))
            .max((a, b) -> Integer.compare(a.target().length(), b.target().length()));
    return nearest.map(
        mount ->
            ROOT.resolve(mount.source())
                .resolve(Path.of(mount.target()).relativize(inside))
                .normalize());
  }

  /** A service's {@code command}, in either form, as words. */
  private static List<String> arguments(String name) {
    JsonNode command = service(name).path("command");
    List<String> words = new ArrayList<>();
    if (command.isArray()) {
      command.forEach(word -> words.add(word.asText()));
    } else if (command.isTextual()) {
      words.addAll(List.of(command.asText().strip().split("\\s+")));
    }
    return words;
  }

  private static JsonNode scrapeJob(JsonNode prometheusConfig, String jobName) {
    for (JsonNode job : prometheusConfig.path("scrape_configs")) {
      if (job.path("job_name").asText().equals(jobName)) {
        return job;
      }
    }
    throw new AssertionError("no scrape job " + jobName + " in " + DeployQueries.PROMETHEUS_CONFIG);
  }

  /** {@code NAME://host:port,...} by listener name. */
  private static Map<String, String> listeners(String value) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String listener : value.split(",")) {
      String[] parts = listener.strip().split("://", 2);
      byName.put(parts[0], parts[1]);
    }
    return byName;
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  /** Arguments of the runtime stage's instructions called {@code keyword}, in order. */
  private static List<String> instructions(String keyword) {
    return runtimeStage.stream()
        .filter(line -> line.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1))
        .map(line -> line.substring(keyword.length() + 1).strip())
        .toList();
  }

  /** The Dockerfile's lines from its last FROM on, continuation lines joined, comments dropped. */
  private static List<String> runtimeStage(List<String> dockerfile) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : dockerfile) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
        continue;
      }
      boolean continued = line.endsWith("\\");
      current.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continued) {
        instructions.add(current.toString().strip());
        current.setLength(0);
      }
    }
    int lastFrom = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).regionMatches(true, 0, "FROM ", 0, 5)) {
        lastFrom = i;
      }
    }
    return instructions.subList(lastFrom, instructions.size());
  }
}
