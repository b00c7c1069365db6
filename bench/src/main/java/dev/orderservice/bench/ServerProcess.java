package dev.orderservice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The order server's jar ({@code java -jar order-server.jar}) run as a child process on 127.0.0.1,
 * in a JVM of its own so that its CPU and heap are its own. Settings are passed as flags; the
 * variables the server would also read (OpenTelemetry's {@code OTEL_*} too) are removed from its
 * environment, so that the caller's shell cannot change what is measured.
 *
 * <p>Its output goes to {@code <name>.log} in the work directory. {@link #close()} sends SIGTERM
 * (the server's graceful shutdown) and waits. Not thread safe.
 */
final class ServerProcess implements AutoCloseable {

  private static final List<String> SERVER_VARIABLES =
      List.of(
          "DB_DSN",
          "KAFKA_BROKER",
          "KAFKA_BROKERS",
          "KAFKA_TOPIC",
          "KAFKA_GROUP",
          "HTTP_ADDR",
          "CACHE_MAX_ENTRIES",
          "API_TOKEN",
          "DATA_DIR",
          "JAVA_TOOL_OPTIONS",
          "JDK_JAVA_OPTIONS");
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final Duration POLL = Duration.ofMillis(50);

  private final Process process;
  private final URI baseUri;
  private final Path log;
  private final long startedAt;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  private ServerProcess(Process process, URI baseUri, Path log, long startedAt) {
    this.process = process;
    this.baseUri = baseUri;
    this.log = log;
    this.startedAt = startedAt;
  }

  /**
   * Starts {@code jar} with {@code jvmOptions} and {@code serverArgs} plus an {@code --http-addr}
   * on a free loopback port. Returns at once; see {@link #awaitWarmedUp(Duration)}.
   */
  static ServerProcess start(
      Path jar, Path workDirectory, String name, List<String> jvmOptions, List<String> serverArgs)
      throws IOException {
    return start(jar, workDirectory, name, jvmOptions, serverArgs, Map.of());
  }

  /**
   * As {@link #start(Path, Path, String, List, List)}, with {@code environment} added to the
   * server's environment: settings that are variables only, such as OpenTelemetry's {@code OTEL_*}.
   */
  static ServerProcess start(
      Path jar,
      Path workDirectory,
      String name,
      List<String> jvmOptions,
      List<String> serverArgs,
      Map<String, String> variables)
      throws IOException {
    int port = LocalPorts.free();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(serverArgs);
    command.add("--http-addr");
    command.add("127.0.0.1:" + port);
    Path log = workDirectory.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDirectory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    SERVER_VARIABLES.forEach(environment::remove);
    environment.keySet().removeIf(variable -> variable.startsWith("OTEL_")); // tracing off
    environment.putAll(variables);
    long startedAt = System.nanoTime();
    return new ServerProcess(
        builder.start(), URI.create("http://127.0.0.1:" + port), log, startedAt);
  }

  URI baseUri() {
    return baseUri;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Polls {@code GET /readyz} until the server is ready and its cache warm-up is done.
   *
   * @throws IllegalStateException if the server exits, the warm-up fails or time runs out; the
   *     message ends with the tail of the server's log
   */
  Readiness awaitWarmedUp(Duration timeout) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(baseUri.resolve("/readyz")).timeout(Duration.ofSeconds(10)).build();
    long deadline = startedAt + timeout.toNanos();
    long answeredAt = 0;
    while (true) {
      if (!process.isAlive()) {
        throw failure("the server exited with " + process.exitValue());
      }
      if (System.nanoTime() > deadline) {
        throw failure("the server was not warmed up within " + timeout);
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long now = System.nanoTime();
        answeredAt = answeredAt == 0 ? now : answeredAt;
        JsonNode warmUp = json.readTree(response.body()).path("cache_warmup");
        String state = warmUp.path("state").asText();
        if ("FAILED".equals(state)) {
          throw failure("the cache warm-up failed: " + response.body());
        }
        if (response.statusCode() == 200 && "DONE".equals(state)) {
          return new Readiness(
              Duration.ofNanos(answeredAt - startedAt),
              Duration.ofNanos(now - startedAt),
              warmUp.path("loaded").asLong(),
              warmUp.path("total").asLong());
        }
      } catch (IOException notAnsweringYet) {
        // not listening yet, or the connection was cut while starting: poll again
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** {@code GET path}: the status and body. */
  HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(baseUri.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * Bytes of heap in use after two full collections ({@code jcmd GC.run}, then {@code
   * GC.heap_info}): the live data, as near as the JVM can tell.
   */
  long heapUsedAfterFullGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    // The heap's lines come first (one for G1, one per generation for the others), then Metaspace.
    String heap = info.contains("Metaspace") ? info.substring(0, info.indexOf("Metaspace")) : info;
    long kib = 0;
    Matcher used = HEAP_USED.matcher(heap);
    while (used.find()) {
      kib += Long.parseLong(used.group(1));
    }
    if (kib == 0) {
      throw new IllegalStateException("no heap figure in jcmd GC.heap_info output:\n" + info);
    }
    return kib * 1024;
  }

  /** The last lines of the server's log, for error messages. */
  String logTail() throws IOException {
    List<String> lines =
        Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: the server's graceful shutdown
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /**
   * What {@code /readyz} said when the warm-up was done, with times since the process started.
   *
   * @param answered when {@code /readyz} first answered
   * @param warmedUp when it first reported the warm-up {@code DONE}
   * @param loaded orders loaded into the cache
   * @param total orders in the store when the warm-up started
   */
  record Readiness(Duration answered, Duration warmedUp, long loaded, long total) {}

  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(
                Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed:\n" + out);
    }
    return out;
  }

  private IllegalStateException failure(String what) {
    try {
      return new IllegalStateException(what + "; server log " + log + " ends:\n" + logTail());
    } catch (IOException e) {
      return new IllegalStateException(what + "; server log " + log + " unreadable: " + e);
    }
  }
}
