package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard {@code deploy/grafana/order-service.json} and its provisioning: it loads
 * without an import step (no {@code ${DS_...}} inputs, every query on the provisioned data source
 * by uid), its panels do not overlap, and it shows each part of the service. Whether the names it
 * queries exist is {@link DeployMetricNamesTest}'s job, whether its PromQL parses {@link
 * DeployConfigTest}'s.
 */
class DeployDashboardTest {

  private static final Path DATASOURCES =
      DeployQueries.ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml");

  /** A metric of each part of the service the dashboard is for. */
  private static final List<String> ONE_OF_EACH_PART =
      List.of(
          "order_ingest_records_total",
          "order_ingest_orders_total",
          "kafka_consumer_fetch_manager_records_lag_max",
          "order_ingest_rejected_total",
          "order_ingest_batch_duration_seconds_bucket",
          "order_ingest_batch_size_bucket",
          "http_server_requests_seconds_count",
          "http_server_requests_seconds_bucket",
          "cache_gets_total",
          "cache_size",
          "order_cache_warmup_state",
          "hikaricp_connections_active",
          "hikaricp_connections_idle",
          "hikaricp_connections_pending",
          "hikaricp_connections_max",
          "jvm_memory_used_bytes",
          "jvm_gc_pause_seconds_sum",
          "process_cpu_usage",
          "order_service_ready");

  @Test
  void loadsWithoutAnImportStepOnTheProvisionedDataSource() throws IOException {
    JsonNode dashboard = DeployQueries.json(DeployQueries.DASHBOARD);
    JsonNode provisioned = DeployQueries.yaml(DATASOURCES).path("datasources").path(0);

    assertThat(Files.readString(DeployQueries.DASHBOARD))
        .as("dashboard JSON")
        .doesNotContain("${DS_")
        .doesNotContain("__inputs");
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(dashboard.path("schemaVersion").asInt())
        .as("schemaVersion")
        .isGreaterThanOrEqualTo(39);
    assertThat(provisioned.path("type").asText()).isEqualTo("prometheus");
    for (JsonNode panel : panels(dashboard)) {
      if (panel.has("targets")) {
        String title = panel.path("title").asText();
        assertThat(panel.path("datasource").path("uid").asText())
            .as("data source of panel " + title)
            .isEqualTo(provisioned.path("uid").asText());
        panel
            .path("targets")
            .forEach(
                target ->
                    assertThat(target.path("datasource").path("uid").asText())
                        .as("data source of a query of panel " + title)
                        .isEqualTo(provisioned.path("uid").asText()));
      }
    }
  }

  /** Top-level panels only on the grid: those in a collapsed row are laid out when it opens. */
  @Test
  void panelsHaveUniqueIdsAndDoNotOverlapOnTheGrid() {
    JsonNode dashboard = DeployQueries.json(DeployQueries.DASHBOARD);
    Set<Integer> ids = new HashSet<>();
    Set<String> cells = new HashSet<>();

    for (JsonNode panel : panels(dashboard)) {
      assertThat(ids.add(panel.path("id").asInt()))
          .as("id of " + panel.path("title").asText() + " is unique")
          .isTrue();
    }
    for (JsonNode panel : dashboard.path("panels")) {
      String title = panel.path("title").asText();
      JsonNode grid = panel.path("gridPos");
      int x = grid.path("x").asInt();
      int y = grid.path("y").asInt();
      assertThat(x + grid.path("w").asInt()).as("right edge of " + title).isLessThanOrEqualTo(24);
      for (int row = y; row < y + grid.path("h").asInt(); row++) {
        for (int column = x; column < x + grid.path("w").asInt(); column++) {
          assertThat(cells.add(column + "," + row))
              .as("cell %d,%d of %s is free", column, row, title)
              .isTrue();
        }
      }
    }
  }

  @Test
  void showsIngestHttpCacheWarmUpPoolJvmAndReadiness() {
    Set<String> queried = new HashSet<>();
    DeployQueries.dashboard().forEach(query -> queried.addAll(PromqlNames.in(query.expr())));

    assertThat(queried).containsAll(ONE_OF_EACH_PART);
  }

  /** Every panel, those nested in collapsed rows included; rows themselves too. */
  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }
}
