package dev.orderservice.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A Prometheus text exposition, parsed into samples, for tests that read {@code /metrics}. */
record Scrape(List<Sample> samples) {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)(?: \\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One line: a metric name, its labels and its value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return new Scrape(List.copyOf(samples));
  }

  /** Every metric name with at least one sample. */
  Set<String> names() {
    return samples.stream().map(Sample::name).collect(Collectors.toSet());
  }

  /**
   * The sum of the samples named {@code name} whose labels include {@code labels} (pairs of label
   * name and value); 0 when there are none.
   */
  double value(String name, String... labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && hasLabels(s, labels))
        .mapToDouble(Sample::value)
        .sum();
  }

  /** Whether any sample is named {@code name} with {@code labels}. */
  boolean has(String name, String... labels) {
    return samples.stream().anyMatch(s -> s.name().equals(name) && hasLabels(s, labels));
  }

  private static boolean hasLabels(Sample sample, String[] labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
        return false;
      }
    }
    return true;
  }
}
