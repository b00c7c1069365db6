package dev.orderservice.devstack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** File helpers shared by the embedded servers. Stateless; safe from any thread. */
final class DevstackFiles {

  /** Enough of a log to see the failing lines without flooding a test report. */
  static final int TAIL_BYTES = 6 * 1024;

  private DevstackFiles() {}

  /**
   * The last {@code maxBytes} of {@code file} starting no earlier than {@code fromOffset}, or a
   * short note when the file does not exist (a missing log is itself a useful hint).
   */
  static String tail(Path file, long fromOffset, int maxBytes) {
    if (!Files.isRegularFile(file)) {
      return "(no file " + file + ")";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long start = Math.max(Math.max(0, fromOffset), length - maxBytes);
      if (start >= length) {
        return "(" + file + " has no new content)";
      }
      byte[] bytes = new byte[(int) (length - start)];
      raf.seek(start);
      raf.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      return (start > Math.max(0, fromOffset) ? "...\n" : "") + text.strip();
    } catch (IOException e) {
      return "(could not read " + file + ": " + e + ")";
    }
  }

  static long sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Deletes a tree; a tree that is already gone is fine (close() must be idempotent). */
  static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
              if (exc instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              if (exc != null && !(exc instanceof NoSuchFileException)) {
                throw exc;
              }
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }
}
