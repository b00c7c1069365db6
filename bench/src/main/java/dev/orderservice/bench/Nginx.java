package dev.orderservice.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * nginx (Debian's package) serving order documents as static files on 127.0.0.1, the yardstick of
 * the HTTP benchmark: {@code /orders/<uid>} is a file holding exactly the bytes the order server
 * returns, sent as {@code application/json}. The configuration is the minimal one for static files
 * (two workers, {@code sendfile}, no access log), plus two settings that keep the comparison fair
 * with wrk's few long-lived connections: {@code reuseport}, so that the kernel spreads them over
 * both workers (without it one worker may take most of them, and the rate swings from run to run),
 * and keep-alive connections never closed by nginx, as the order server does not close them.
 *
 * <p>Runs as a child process in the foreground; {@link #close()} stops it. Not thread safe.
 */
final class Nginx implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final URI baseUri;
  private final Path directory;

  private Nginx(Process process, URI baseUri, Path directory) {
    this.process = process;
    this.baseUri = baseUri;
    this.directory = directory;
  }

  /**
   * Writes {@code documents} (uid to bytes) under {@code directory}, starts nginx on a free port
   * and returns once the first document is served with the same bytes.
   */
  static Nginx serve(Path directory, Map<String, byte[]> documents)
      throws IOException, InterruptedException {
    Path docroot = directory.resolve("html");
    Path orders = Files.createDirectories(docroot.resolve("orders"));
    for (Map.Entry<String, byte[]> document : documents.entrySet()) {
      Files.write(orders.resolve(document.getKey()), document.getValue());
    }
    // When started as root, nginx's workers run as nobody: they must be able to read the files
    // (the caller sees to the directories above this one).
    for (Path path : List.of(directory, docroot, orders)) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.createDirectories(directory.resolve("temp"));
    int port = LocalPorts.free();
    Path config = directory.resolve("nginx.conf");
    Files.writeString(config, config(directory, docroot, port), StandardCharsets.UTF_8);
    Process process =
        new ProcessBuilder(
                executable(),
                "-p",
                directory.toString(),
                "-c",
                config.toString(),
                "-e",
                directory.resolve("error.log").toString())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("nginx.out").toFile())
            .start();
    Nginx nginx = new Nginx(process, URI.create("http://127.0.0.1:" + port), directory);
    try {
      Map.Entry<String, byte[]> first = documents.entrySet().iterator().next();
      nginx.awaitServing(first.getKey(), first.getValue());
      return nginx;
    } catch (IOException | InterruptedException | RuntimeException e) {
      nginx.close();
      throw e;
    }
  }

  URI baseUri() {
    return baseUri;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: fast shutdown of master and workers
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private void awaitServing(String uid, byte[] expected) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("/orders/" + uid)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx exited with " + process.exitValue() + ": " + log());
      }
      try {
        HttpResponse<byte[]> response =
            client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200 || !Arrays.equals(response.body(), expected)) {
          throw new IllegalStateException(
              "nginx answered " + response.statusCode() + " with other bytes: " + log());
        }
        if (!response
            .headers()
            .firstValue("Content-Type")
            .orElse("")
            .startsWith("application/json")) {
          throw new IllegalStateException(
              "nginx sent " + response.headers().firstValue("Content-Type"));
        }
        return;
      } catch (java.net.ConnectException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "nginx did not listen within " + START_TIMEOUT + ": " + log());
        }
        // Polling interval while nginx opens its port.
        Thread.sleep(50);
      }
    }
  }

  private String log() throws IOException {
    Path errors = directory.resolve("error.log");
    return Files.exists(errors) ? Files.readString(errors) : "(no error log)";
  }

  private static String executable() {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "nginx";
  }

  private static String config(Path directory, Path docroot, int port) {
    Path temp = directory.resolve("temp");
    return """
           worker_processes 2;
           daemon off;
           pid %1$s/nginx.pid;
           error_log %1$s/error.log warn;
           events {
             worker_connections 1024;
           }
           http {
             access_log off;
             sendfile on;
             tcp_nopush on;
             keepalive_timeout 65;
             keepalive_requests 100000000;
             types { }
             default_type application/json;
             client_body_temp_path %2$s/body;
             proxy_temp_path %2$s/proxy;
             fastcgi_temp_path %2$s/fastcgi;
             uwsgi_temp_path %2$s/uwsgi;
             scgi_temp_path %2$s/scgi;
             server {
               listen 127.0.0.1:%3$d reuseport;
               root %4$s;
             }
           }
           """
        .formatted(directory, temp, port, docroot);
  }
}
