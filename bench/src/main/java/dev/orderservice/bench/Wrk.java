package dev.orderservice.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the {@code wrk} HTTP load generator (Debian's package) and reads its report. Every request
 * is {@code GET /orders/<uid>} with a uid drawn at random from a list, so that both servers under
 * comparison see the same mix. Blocks for the duration of a run; not shared between threads.
 */
final class Wrk {

  private static final Pattern REQUESTS_PER_SECOND =
      Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("(?m)^\\s+50%\\s+([0-9.]+)(us|ms|s)\\s*$");
  private static final Pattern P99 = Pattern.compile("(?m)^\\s+99%\\s+([0-9.]+)(us|ms|s)\\s*$");
  private static final Pattern REQUESTS = Pattern.compile("(?m)^\\s+(\\d+) requests in ");
  private static final Pattern NON_2XX =
      Pattern.compile("(?m)^\\s+Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile(
          "(?m)^\\s+Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  private final Path script;
  private final Path pathFile;
  private final int threads;
  private final int connections;

  private Wrk(Path script, Path pathFile, int threads, int connections) {
    this.script = script;
    this.pathFile = pathFile;
    this.threads = threads;
    this.connections = connections;
  }

  /**
   * A load generator whose requests pick uids from {@code uids} at random; the list and the Lua
   * script that reads it are written to {@code directory}.
   */
  static Wrk forOrders(Path directory, List<String> uids, int threads, int connections)
      throws IOException {
    return forPaths(
        directory,
        "orders",
        uids.stream().map(uid -> "/orders/" + uid).toList(),
        threads,
        connections);
  }

  /**
   * A load generator whose requests are GETs of {@code paths} (with their query strings), picked at
   * random; the list and the Lua script that reads it are written to {@code directory}, named after
   * {@code name}.
   */
  static Wrk forPaths(Path directory, String name, List<String> paths, int threads, int connections)
      throws IOException {
    String file = name.replaceAll("[^A-Za-z0-9]+", "-");
    Path pathFile = directory.resolve(file + ".txt");
    Files.write(pathFile, paths, StandardCharsets.US_ASCII);
    Path script = directory.resolve(file + ".lua");
    Files.writeString(script, luaScript(pathFile, 0), StandardCharsets.US_ASCII);
    return new Wrk(script, pathFile, threads, connections);
  }

  /**
   * The same requests, paced: each connection waits {@code connections * 1000 / requestsPerSecond}
   * ms after a response before its next request (wrk's {@code delay()}), so that together they send
   * at most about {@code requestsPerSecond}, less by the time the answers take. Latency is then
   * measured below saturation, as a client at that rate sees it, rather than with every core busy
   * and each request queued behind the others.
   */
  Wrk pacedTo(int requestsPerSecond) throws IOException {
    long delayMillis = Math.max(1, Math.round(connections * 1000.0 / requestsPerSecond));
    String file = pathFile.getFileName().toString().replaceFirst("\\.txt$", "");
    Path paced = pathFile.resolveSibling(file + "-paced.lua");
    Files.writeString(paced, luaScript(pathFile, delayMillis), StandardCharsets.US_ASCII);
    return new Wrk(paced, pathFile, threads, connections);
  }

  /** The same requests, each connection waiting {@code delayMillis} before each request. */
  Wrk pacedBy(long delayMillis) throws IOException {
    String file = pathFile.getFileName().toString().replaceFirst("\\.txt$", "");
    Path paced = pathFile.resolveSibling(file + "-paced-" + delayMillis + "ms.lua");
    Files.writeString(paced, luaScript(pathFile, delayMillis), StandardCharsets.US_ASCII);
    return new Wrk(paced, pathFile, threads, connections);
  }

  /** Loads {@code base} for {@code duration} and returns what wrk reported. */
  Result run(URI base, Duration duration) throws IOException, InterruptedException {
    List<String> command =
        List.of(
            "wrk",
            "-t" + threads,
            "-c" + connections,
            "-d" + duration.toSeconds() + "s",
            "--latency",
            "-s",
            script.toString(),
            base.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("wrk failed: " + String.join(" ", command) + "\n" + report);
    }
    return Result.parse(report);
  }

  /** The command line, as it would be typed, for the figures' header. */
  String describe(Duration duration) {
    return "wrk -t" + threads + " -c" + connections + " -d" + duration.toSeconds() + "s --latency";
  }

  /**
   * How the benchmark drives wrk.
   *
   * @param threads wrk's {@code -t}
   * @param connections wrk's {@code -c}
   * @param duration the measured run's {@code -d}
   * @param warmUpRun the unmeasured run before it
   */
  record Settings(int threads, int connections, Duration duration, Duration warmUpRun) {}

  /**
   * What one wrk run measured.
   *
   * @param requestsPerSecond wrk's {@code Requests/sec}
   * @param p50Millis the median latency, in milliseconds
   * @param p99Millis the 99th percentile of latency, in milliseconds
   * @param requests requests completed
   * @param non2xx responses with a status other than 2xx or 3xx
   * @param socketErrors connect, read, write and timeout errors together
   * @param report wrk's whole output
   */
  record Result(
      double requestsPerSecond,
      double p50Millis,
      double p99Millis,
      long requests,
      long non2xx,
      long socketErrors,
      String report) {

    static Result parse(String report) {
      double p50Millis = millis(find(P50, report));
      double p99Millis = millis(find(P99, report));
      long socketErrors = 0;
      Matcher errors = SOCKET_ERRORS.matcher(report);
      if (errors.find()) {
        for (int group = 1; group <= 4; group++) {
          socketErrors += Long.parseLong(errors.group(group));
        }
      }
      Matcher non2xx = NON_2XX.matcher(report);
      return new Result(
          Double.parseDouble(find(REQUESTS_PER_SECOND, report).group(1)),
          p50Millis,
          p99Millis,
          Long.parseLong(find(REQUESTS, report).group(1)),
          non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0,
          socketErrors,
          report);
    }

    private static double millis(Matcher percentile) {
      return Double.parseDouble(percentile.group(1))
          * switch (percentile.group(2)) {
            case "us" -> 0.001;
            case "ms" -> 1.0;
            default -> 1000.0;
          };
    }

    /** Whether every request got a 2xx/3xx answer and no connection failed. */
    boolean clean() {
      return non2xx == 0 && socketErrors == 0;
    }

    private static Matcher find(Pattern pattern, String report) {
      Matcher matcher = pattern.matcher(report);
      if (!matcher.find()) {
        throw new IllegalStateException("unexpected wrk output (no " + pattern + "):\n" + report);
      }
      return matcher;
    }
  }

  /**
   * Each wrk thread runs the script in its own Lua state: it reads the path list once, seeds its
   * own generator (thread number from setup, so runs repeat), and makes each request a GET of a
   * random path; a paced one also waits {@code delayMillis} before each request.
   */
  private static String luaScript(Path pathFile, long delayMillis) {
    String script =
        """
        local paths = {}
        for line in io.lines("%s") do paths[#paths + 1] = line end
        local threads = 0
        function setup(thread)
          threads = threads + 1
          thread:set("number", threads)
        end
        function init(args)
          math.randomseed(20261124 + number)
        end
        function request()
          return wrk.format("GET", paths[math.random(#paths)])
        end
        """
            .formatted(pathFile.toAbsolutePath());
    if (delayMillis > 0) {
      script +=
          """
          function delay()
            return %d
          end
          """
              .formatted(delayMillis);
    }
    return script;
  }
}
