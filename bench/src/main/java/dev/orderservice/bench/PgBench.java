package dev.orderservice.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs PostgreSQL's own load generator, {@code pgbench} (Debian's {@code postgresql-15} package;
 * {@code bench/run} installs it when missing), with a custom script against a database named by a
 * JDBC URL, and reads the transactions per second it reports.
 */
final class PgBench {

  private static final Pattern TPS = Pattern.compile("(?m)^tps = ([0-9.]+)");
  private static final Pattern LATENCY = Pattern.compile("(?m)^latency average = ([0-9.]+) ms");

  private final Path binary;
  private final String serverOptions;

  private PgBench(Path binary) {
    this(binary, "");
  }

  private PgBench(Path binary, String serverOptions) {
    this.binary = binary;
    this.serverOptions = serverOptions;
  }

  /**
   * The same pgbench, its sessions started with {@code options} ({@code PGOPTIONS}, e.g. {@code -c
   * plan_cache_mode=force_generic_plan}).
   */
  PgBench withServerOptions(String options) {
    return new PgBench(binary, options);
  }

  /** The pgbench on PATH, or the newest under /usr/lib/postgresql. */
  static PgBench find() throws IOException {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "pgbench");
      if (Files.isExecutable(candidate)) {
        return new PgBench(candidate);
      }
    }
    Path versions = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(versions)) {
      try (Stream<Path> dirs = Files.list(versions)) {
        Optional<Path> newest =
            dirs.map(d -> d.resolve("bin/pgbench"))
                .filter(Files::isExecutable)
                .max(Comparator.comparing(p -> versionOf(p.getParent().getParent())));
        if (newest.isPresent()) {
          return new PgBench(newest.get());
        }
      }
    }
    throw new IllegalStateException(
        "pgbench not found: install Debian's postgresql-15 package (bench/run does as root)");
  }

  /**
   * Runs {@code script} with {@code clients} connections for {@code duration}, prepared statements,
   * {@code variables} set with {@code -D}.
   */
  Result run(
      String jdbcUrl, Path script, int clients, Duration duration, Map<String, String> variables)
      throws IOException, InterruptedException {
    Connection target = Connection.of(jdbcUrl);
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(
        List.of(
            "-n", // no vacuum of pgbench's own tables: there are none
            "-M",
            "prepared",
            "-c",
            Integer.toString(clients),
            "-j",
            Integer.toString(Math.min(clients, Runtime.getRuntime().availableProcessors())),
            "-T",
            Long.toString(duration.toSeconds()),
            "-f",
            script.toString(),
            "-h",
            target.host(),
            "-p",
            Integer.toString(target.port()),
            "-U",
            target.user()));
    variables.forEach((name, value) -> command.addAll(List.of("-D", name + "=" + value)));
    command.add(target.database());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    target.password().ifPresent(p -> builder.environment().put("PGPASSWORD", p));
    if (!serverOptions.isEmpty()) {
      builder.environment().put("PGOPTIONS", serverOptions);
    }
    Process process = builder.start();
    String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("pgbench failed: " + command + "\n" + report);
    }
    return new Result(number(TPS, report), number(LATENCY, report), report);
  }

  String version() throws IOException, InterruptedException {
    Process process = new ProcessBuilder(binary.toString(), "--version").start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return out.strip();
  }

  private static double number(Pattern pattern, String report) {
    Matcher m = pattern.matcher(report);
    if (!m.find()) {
      throw new IllegalStateException("no " + pattern + " in pgbench's report:\n" + report);
    }
    return Double.parseDouble(m.group(1));
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** What one run reported. */
  record Result(double transactionsPerSecond, double latencyAverageMillis, String report) {}

  /** Where a {@code jdbc:postgresql://host:port/db?user=..&password=..} URL points. */
  private record Connection(
      String host, int port, String database, String user, Optional<String> password) {

    static Connection of(String jdbcUrl) {
      URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
      String user = "postgres";
      String password = null;
      if (uri.getRawQuery() != null) {
        for (String parameter : uri.getRawQuery().split("&")) {
          String[] pair = parameter.split("=", 2);
          String value =
              pair.length < 2 ? "" : java.net.URLDecoder.decode(pair[1], StandardCharsets.UTF_8);
          if (pair[0].equals("user")) {
            user = value;
          } else if (pair[0].equals("password")) {
            password = value;
          }
        }
      }
      return new Connection(
          uri.getHost() == null ? "127.0.0.1" : uri.getHost(),
          uri.getPort() < 0 ? 5432 : uri.getPort(),
          uri.getPath().substring(1),
          user,
          Optional.ofNullable(password));
    }
  }
}
