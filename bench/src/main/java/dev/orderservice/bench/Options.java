package dev.orderservice.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs of a benchmark's command line. */
final class Options {

  private final Map<String, String> values;

  private Options(Map<String, String> values) {
    this.values = values;
  }

  static Options parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
      }
      values.put(args[i].substring(2), args[++i]);
    }
    return new Options(values);
  }

  int integer(String name, int defaultValue) {
    String value = values.get(name);
    return value == null ? defaultValue : Integer.parseInt(value.replace("_", ""));
  }

  String text(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }
}
