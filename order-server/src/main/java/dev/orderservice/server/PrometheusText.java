package dev.orderservice.server;

/**
 * Writes the Prometheus text exposition format (version 0.0.4) by hand: {@code # HELP} and {@code
 * # TYPE} once per metric family, then its samples, label values escaped. Not thread safe: one
 * per scrape.
 */
final class PrometheusText {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(8 * 1024);

  /** Starts a family: {@code type} is counter, gauge, histogram or summary. */
  PrometheusText family(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\")
        .replace("\n", "\\n")).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  PrometheusText sample(String name, double value, String... labelPairs) {
    out.append(name);
    if (labelPairs.length > 0) {
      out.append('{');
      for (int i = 0; i + 1 < labelPairs.length; i += 2) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labelPairs[i]).append("=\"").append(escape(labelPairs[i + 1])).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(format(value)).append('\n');
    return this;
  }

  /** A family with one unlabelled sample. */
  PrometheusText single(String name, String type, String help, double value) {
    return family(name, type, help).sample(name, value);
  }

  @Override
  public String toString() {
    return out.toString();
  }

  static String format(double value) {
    if (value == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    if (value == Double.NEGATIVE_INFINITY) {
      return "-Inf";
    }
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
