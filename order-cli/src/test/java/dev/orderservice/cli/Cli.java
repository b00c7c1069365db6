package dev.orderservice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** Runs order-cli in-process, through picocli's execute, with its output captured. */
final class Cli {

  /** What a run printed and returned. */
  record Run(int exitCode, String out, String err) {}

  private Cli() {}

  /** Runs with an empty environment (no DB_DSN, KAFKA_BROKER or KAFKA_TOPIC) and no terminal. */
  static Run run(String... args) {
    return run(Map.of(), args);
  }

  /** Runs with {@code env} as the environment and no terminal. */
  static Run run(Map<String, String> env, String... args) {
    CommandLine cli = OrderCli.commandLine(env, false);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
