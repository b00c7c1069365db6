package dev.orderservice.testsupport;

import dev.orderservice.devstack.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A file-level copy of an {@link EmbeddedPostgres}'s data directory, from which a server can be
 * started ({@code EmbeddedPostgres.builder().dataDirectory(copy)}): what a restore from a file
 * backup or a volume snapshot gives back.
 *
 * <p>{@link #ofRunning} copies a running server as {@code pg_basebackup} would (the bundled
 * binaries have no {@code pg_basebackup}): {@code pg_backup_start}, the files, {@code
 * pg_backup_stop}, then {@code backup_label} and the WAL up to the end of the backup, with a
 * replication slot holding that WAL back meanwhile. A server started on the copy recovers to the
 * moment the backup ended. {@link #ofStopped} copies a stopped server's files as they are. Start
 * the server on a copy with {@code setting("fsync", "off")} in tests: its recovery otherwise syncs
 * every file first, which costs seconds.
 *
 * <p>Stateless; each call blocks while it copies (a fresh cluster with some thousand orders is a
 * few tens of MB, well under a second).
 */
public final class PostgresFileCopy {

  /**
   * What is never copied, as {@code pg_basebackup} leaves it out: the running server's lock and
   * options, its temporary and per-run state (directories kept empty), and the owner record
   * order-devstack keeps in a running server's data directory (a copy naming this JVM as its owner
   * would be refused).
   */
  private static final Set<String> SKIPPED_FILES =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "backup_label",
          "tablespace_map",
          "pg_internal.init",
          "order-devstack.owner",
          "order-devstack.owner.new");

  private static final Set<String> EMPTIED_DIRECTORIES =
      Set.of(
          "pg_wal",
          "pg_dynshmem",
          "pg_notify",
          "pg_replslot",
          "pg_serial",
          "pg_snapshots",
          "pg_stat_tmp",
          "pg_subtrans");

  /** WAL segments (24 hex digits) and timeline history files. */
  private static final Pattern WAL_FILE = Pattern.compile("[0-9A-F]{24}|[0-9A-F]{8}\\.history");

  private PostgresFileCopy() {}

  /**
   * Copies the running {@code server} into {@code target} (created; must not exist or be empty) as
   * an online base backup. With {@code slotName}, a physical replication slot of that name is
   * created on the server first and kept, so the server keeps every WAL record a standby started
   * from the copy will ask for; without it a temporary slot holds the WAL only during the copy.
   *
   * @return {@code target}
   * @throws IllegalStateException if the backup or the copy fails
   */
  public static Path ofRunning(EmbeddedPostgres server, Path target, String slotName) {
    createDataDirectory(target);
    Properties login = new Properties();
    login.setProperty("user", server.user());
    try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"), login)) {
      String slot = slotName != null ? slotName : "file_copy_" + System.nanoTime();
      query(
          connection,
          "select pg_create_physical_replication_slot(?::name, true, ?)",
          slot,
          slotName == null);
      query(connection, "select pg_backup_start(?, true)", "order-test-support file copy");
      copyTree(server.dataDirectory(), target, false);
      String label;
      String tablespaceMap;
      try (PreparedStatement stop =
              connection.prepareStatement(
                  "select labelfile, spcmapfile from pg_backup_stop(false)");
          ResultSet rs = stop.executeQuery()) {
        rs.next();
        label = rs.getString(1);
        tablespaceMap = rs.getString(2);
      }
      Files.writeString(target.resolve("backup_label"), label, StandardCharsets.UTF_8);
      if (tablespaceMap != null && !tablespaceMap.isEmpty()) {
        Files.writeString(target.resolve("tablespace_map"), tablespaceMap, StandardCharsets.UTF_8);
      }
      // After pg_backup_stop, which switched to a new segment: the WAL up to the backup's end.
      copyWal(server.dataDirectory().resolve("pg_wal"), target.resolve("pg_wal"));
    } catch (SQLException e) {
      throw new IllegalStateException("online copy of " + server + " failed: " + e, e);
    } catch (IOException e) {
      throw new UncheckedIOException("online copy of " + server + " failed", e);
    }
    return target;
  }

  /**
   * Copies the data directory of the stopped {@code server} into {@code target} (created; must not
   * exist or be empty), WAL included.
   *
   * @return {@code target}
   * @throws IllegalStateException if the server is running
   */
  public static Path ofStopped(EmbeddedPostgres server, Path target) {
    if (server.isRunning()) {
      throw new IllegalStateException(server + " is running; use ofRunning for an online copy");
    }
    createDataDirectory(target);
    try {
      copyTree(server.dataDirectory(), target, true);
    } catch (IOException e) {
      throw new UncheckedIOException("copy of " + server + " failed", e);
    }
    return target;
  }

  private static void query(Connection connection, String sql, Object... parameters)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.executeQuery().close();
    }
  }

  /** PostgreSQL refuses a data directory that others may read (0700 or 0750 only). */
  private static void createDataDirectory(Path target) {
    try {
      Files.createDirectories(target);
      try (var entries = Files.list(target)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalStateException(target + " is not empty");
        }
      }
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + target, e);
    }
  }

  private static void copyTree(Path source, Path target, boolean withWal) throws IOException {
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path relative = source.relativize(dir);
            Files.createDirectories(target.resolve(relative));
            boolean emptied =
                relative.getNameCount() == 1
                    && EMPTIED_DIRECTORIES.contains(relative.toString())
                    && !(withWal && relative.toString().equals("pg_wal"));
            if (emptied) {
              if (relative.toString().equals("pg_wal")) {
                Files.createDirectories(target.resolve("pg_wal/archive_status"));
              }
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (!SKIPPED_FILES.contains(file.getFileName().toString())) {
              copyFile(file, target.resolve(source.relativize(file)));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // removed by the server meanwhile, as it may be
            }
            throw e;
          }
        });
  }

  private static void copyWal(Path sourceWal, Path targetWal) throws IOException {
    try (var files = Files.list(sourceWal)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (WAL_FILE.matcher(file.getFileName().toString()).matches()) {
          copyFile(file, targetWal.resolve(file.getFileName()));
        }
      }
    }
  }

  private static void copyFile(Path from, Path to) throws IOException {
    try {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      // A temporary file or an old WAL segment the server removed while we copied.
    }
  }
}
