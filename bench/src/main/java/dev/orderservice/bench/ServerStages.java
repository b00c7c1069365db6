package dev.orderservice.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The servers' stage timers, summed over the servers, read from their {@code /metrics}: {@code
 * order_ingest_stage_seconds} and {@code order_live_stage_seconds}, histograms by {@code stage}.
 */
final class ServerStages {

  private static final Pattern BUCKET =
      Pattern.compile(
          "^(order_ingest_stage_seconds|order_live_stage_seconds)_bucket\\{(.*)\\} ([0-9.eE+-]+)$");
  private static final Pattern STAGE = Pattern.compile("stage=\"([a-z_]+)\"");
  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  /** stage -> upper bound in seconds -> count of values at most that. */
  private final Map<String, TreeMap<Double, Double>> buckets;

  private ServerStages(Map<String, TreeMap<Double, Double>> buckets) {
    this.buckets = buckets;
  }

  static ServerStages scrape(List<ServerProcess> servers) throws IOException, InterruptedException {
    Map<String, TreeMap<Double, Double>> buckets = new TreeMap<>();
    for (ServerProcess server : servers) {
      HttpResponse<byte[]> metrics = server.get("/metrics");
      for (String line : new String(metrics.body(), StandardCharsets.UTF_8).split("\n")) {
        Matcher m = BUCKET.matcher(line);
        if (!m.matches()) {
          continue;
        }
        Matcher stage = STAGE.matcher(m.group(2));
        Matcher le = LE.matcher(m.group(2));
        if (!stage.find() || !le.find()) {
          continue;
        }
        double bound =
            "+Inf".equals(le.group(1)) ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
        buckets
            .computeIfAbsent(stage.group(1), s -> new TreeMap<>())
            .merge(bound, Double.parseDouble(m.group(3)), Double::sum);
      }
    }
    return new ServerStages(buckets);
  }

  /** What was counted after {@code earlier}. */
  ServerStages since(ServerStages earlier) {
    Map<String, TreeMap<Double, Double>> difference = new TreeMap<>();
    buckets.forEach(
        (stage, counts) -> {
          TreeMap<Double, Double> before = earlier.buckets.getOrDefault(stage, new TreeMap<>());
          TreeMap<Double, Double> d = new TreeMap<>();
          counts.forEach((bound, count) -> d.put(bound, count - before.getOrDefault(bound, 0.0)));
          difference.put(stage, d);
        });
    return new ServerStages(difference);
  }

  /** One line per stage: p50, p99 (bucket bounds) and the count. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    buckets.forEach(
        (stage, counts) -> {
          double total = counts.isEmpty() ? 0 : counts.lastEntry().getValue();
          if (total > 0) {
            lines.add(
                String.format(
                    "%-28s p50 <= %6.1f  p99 <= %6.1f ms  (%,.0f)",
                    stage, quantile(counts, total, 0.5), quantile(counts, total, 0.99), total));
          }
        });
    return lines;
  }

  private static double quantile(TreeMap<Double, Double> counts, double total, double q) {
    for (Map.Entry<Double, Double> bucket : counts.entrySet()) {
      if (bucket.getValue() >= q * total) {
        return bucket.getKey() * 1000;
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
