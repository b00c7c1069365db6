package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * The server as a process of its own ({@link Main} on the test classpath), for tests that signal or
 * kill it. Its output goes to a file (not a pipe: {@code Process.destroy()} closes the pipes the
 * moment it signals), which {@link #log()} reads back.
 */
final class ChildServer implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("HTTP: listening on \\S+:(\\d+), open ");

  private final Process process;
  private final Path logFile;

  private ChildServer(Process process, Path logFile) {
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts {@code java -Xmx512m Main} with {@code env} as the server's settings; no other setting
   * of the server is inherited from this JVM's environment.
   */
  static ChildServer start(String name, Map<String, String> env) throws IOException {
    return start(
        name, env, List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
  }

  /**
   * Starts {@code java -Xmx512m -jar jar args}, e.g. a jar the build made, with {@code env} as the
   * server's settings as {@link #start(String, Map)} does.
   */
  static ChildServer startJar(String name, Path jar, Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    return start(name, env, command);
  }

  private static ChildServer start(String name, Map<String, String> env, List<String> command)
      throws IOException {
    Path logFile =
        Files.createDirectories(Path.of("target", "child-servers")).resolve(name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> line = new ArrayList<>(List.of(java, "-Xmx512m"));
    line.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(logFile.toFile());
    Map<String, String> environment = builder.environment();
    environment
        .keySet()
        .removeIf(
            variable ->
                variable.startsWith("KAFKA_")
                    || variable.startsWith("DB_")
                    || variable.startsWith("HTTP_")
                    || variable.equals("API_TOKEN")
                    || variable.equals("CACHE_MAX_ENTRIES")
                    || variable.equals("DATA_DIR")
                    || variable.startsWith("OTEL_"));
    environment.putAll(env);
    return new ChildServer(builder.start(), logFile);
  }

  /** Waits until the server says where it listens; fails with its log if it exits first. */
  Http awaitListening(Duration timeout) {
    Awaitility.await().atMost(timeout).until(() -> port() > 0 || !process.isAlive());
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the server exited with " + process.exitValue() + "; its log:\n" + logText());
    }
    return new Http(URI.create("http://127.0.0.1:" + port() + "/"));
  }

  /** SIGKILL: no shutdown hook, no graceful anything, as the OOM killer would. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM. */
  void terminate() {
    process.destroy();
  }

  Process process() {
    return process;
  }

  List<String> log() {
    try {
      return Files.readAllLines(logFile, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String logText() {
    return String.join("\n", log());
  }

  /** The port of the "HTTP: listening on 127.0.0.1:PORT, open ..." line, or 0 before it. */
  private int port() {
    for (String line : log()) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    return 0;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
