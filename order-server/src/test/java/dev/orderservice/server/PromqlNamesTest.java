package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromqlNamesTest {

  @Test
  void aBareSelectorIsItsOwnName() {
    assertThat(PromqlNames.in("up")).containsExactly("up");
  }

  @Test
  void aRouteTemplateInsideALabelMatcherIsNotMistakenForTheMatchersEnd() {
    String p99 =
        "histogram_quantile(0.99, sum by (le, uri) (rate("
            + "http_server_requests_seconds_bucket{method=\"GET\", uri=\"/orders/{order_uid}\"}[5m]"
            + "))) > 0.25";

    assertThat(PromqlNames.in(p99)).containsExactly("http_server_requests_seconds_bucket");
  }

  @Test
  void groupingLabelsOnEitherSideOfAnAggregationAreNotNames() {
    assertThat(PromqlNames.in("sum without (instance) (a_total) / sum(b_total) by (job, topic)"))
        .containsExactly("a_total", "b_total");
  }

  @Test
  void vectorMatchingKeywordsAndTheirLabelListsAreNotNames() {
    String expression =
        "a_total / on (job, instance) group_left (client_id) b_info"
            + " and ignoring(partition) c_total unless d_total or e_total > bool 0";

    assertThat(PromqlNames.in(expression))
        .containsExactly("a_total", "b_info", "c_total", "d_total", "e_total");
  }

  @Test
  void rangesSubqueriesOffsetsAndDurationsAreNotNames() {
    String expression =
        "max_over_time(deriv(lag_max[10m])[30m:1m]) - lag_max offset 1h30m"
            + " + rate(x_total[$__rate_interval])";

    assertThat(PromqlNames.in(expression)).containsExactly("lag_max", "x_total");
  }

  @Test
  void stringArgumentsNumbersAndGrafanaVariablesAreNotNames() {
    String expression =
        "label_replace(count_values(\"version\", build_info), 'dst', \"$1\", `src`, \"(.*) by x\")"
            + " * 1e-3 + 0x1F - .5 + Inf + NaN + $offset_var + ${route:regex}";

    assertThat(PromqlNames.in(expression)).containsExactly("build_info");
  }

  @Test
  void keywordsAreCaseInsensitiveAndRecordingRuleNamesKeepTheirColons() {
    assertThat(PromqlNames.in("job:requests:rate5m AND ON(job) up == 0 # alerts when down\n"))
        .containsExactly("job:requests:rate5m", "up");
  }

  @Test
  void aFunctionWrittenWithASpaceBeforeItsParenthesisIsStillAFunction() {
    assertThat(PromqlNames.in("sum (rate (a_total [5m]))")).containsExactly("a_total");
  }
}
