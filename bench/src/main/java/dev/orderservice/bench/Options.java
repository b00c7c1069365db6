package dev.orderservice.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs of a benchmark's command line, and {@code --name} flags. */
final class Options {

  private final Map<String, String> values;

  private Options(Map<String, String> values) {
    this.values = values;
  }

  static Options parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
      }
      boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
      values.put(args[i].substring(2), flag ? "true" : args[++i]);
    }
    return new Options(values);
  }

  int integer(String name, int defaultValue) {
    String value = values.get(name);
    return value == null ? defaultValue : Integer.parseInt(value.replace("_", ""));
  }

  /** Whether {@code --name} was given (as a flag, or with the value true). */
  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  String text(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }
}
