package dev.orderservice.devstack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * Who started the PostgreSQL server of a data directory: the JVM, and the watchdog that stops the
 * server when that JVM dies. Kept in the data directory, as {@value #FILE_NAME}, from just before
 * the server starts until it has stopped, so that a later start can tell a server left behind by a
 * dead JVM (to be stopped) from one that a live JVM still uses (to be left alone). PostgreSQL
 * ignores the file. Immutable; the file operations are safe from any thread.
 */
record ServerOwner(LocalProcess jvm, LocalProcess watchdog) {

  static final String FILE_NAME = "order-devstack.owner";

  /** This JVM, guarded by {@code watchdog}. */
  static ServerOwner thisJvm(PostgresWatchdog watchdog) {
    return new ServerOwner(LocalProcess.current(), watchdog.process());
  }

  /**
   * The owner recorded in {@code dataDirectory}; empty if there is none or the file cannot be read
   * (a record torn by a crash says nothing reliable, and it is only ever advisory).
   */
  static Optional<ServerOwner> readFrom(Path dataDirectory) {
    Path file = dataDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
      return Optional.of(
          new ServerOwner(process(properties, "jvm"), process(properties, "watchdog")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Writes the record, replacing any old one atomically (a reader never sees half a record). */
  void writeTo(Path dataDirectory) {
    Properties properties = new Properties();
    put(properties, "jvm", jvm);
    put(properties, "watchdog", watchdog);
    Path file = dataDirectory.resolve(FILE_NAME);
    Path staging = dataDirectory.resolve(FILE_NAME + ".new");
    try {
      try (Writer writer = Files.newBufferedWriter(staging, StandardCharsets.UTF_8)) {
        properties.store(writer, "written by order-devstack's EmbeddedPostgres; safe to delete");
      }
      try {
        Files.move(staging, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(staging, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  /** Removes the record; a missing one is fine. */
  static void deleteFrom(Path dataDirectory) {
    try {
      Files.deleteIfExists(dataDirectory.resolve(FILE_NAME));
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dataDirectory.resolve(FILE_NAME), e);
    }
  }

  private static void put(Properties properties, String prefix, LocalProcess process) {
    properties.setProperty(prefix + ".pid", Long.toString(process.pid()));
    properties.setProperty(prefix + ".started", process.started().toString());
  }

  private static LocalProcess process(Properties properties, String prefix) {
    return new LocalProcess(
        Long.parseLong(properties.getProperty(prefix + ".pid")),
        Instant.parse(properties.getProperty(prefix + ".started")));
  }
}
