package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
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

  /**
   * Runs with {@code env} as the environment and no terminal. What a command prints and the bytes
   * it writes to standard output as they are both go to one buffer, as to one file descriptor in a
   * process; {@link Run#out} is that buffer read as UTF-8.
   */
  static Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    CommandLine cli = OrderCli.commandLine(env, false, stdout);
    PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, UTF_8), true);
    StringWriter err = new StringWriter();
    cli.setOut(out);
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    out.flush();
    return new Run(code, stdout.toString(UTF_8), err.toString());
  }
}
