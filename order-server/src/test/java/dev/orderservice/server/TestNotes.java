package dev.orderservice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lines a test must say on the build's console (test output goes to files): each is written to
 * {@code target/test-notes/<name>.txt}, and order-server's pom echoes them after the tests.
 */
final class TestNotes {

  private TestNotes() {}

  static void write(String name, String line) {
    Path dir = moduleDir().resolve("target").resolve("test-notes");
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name + ".txt"), line + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(line);
  }

  /** order-server's folder, whether the build runs from it or from the reactor's root. */
  private static Path moduleDir() {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    return Files.isDirectory(dir.resolve("order-server")) ? dir.resolve("order-server") : dir;
  }
}
