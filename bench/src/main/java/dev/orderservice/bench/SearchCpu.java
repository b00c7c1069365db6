package dev.orderservice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time the server's process and the local PostgreSQL's processes spend over a run, from
 * {@code /proc} (user plus system, in clock ticks of 10 ms): where the time of a search goes. On a
 * machine without {@code /proc}, or with an external PostgreSQL on another host, the figures are
 * zero.
 */
final class SearchCpu {

  private static final double MICROS_PER_TICK = 10_000;

  private final long serverPid;
  private final long serverStart;
  private final long postgresStart;

  private SearchCpu(long serverPid, long serverStart, long postgresStart) {
    this.serverPid = serverPid;
    this.serverStart = serverStart;
    this.postgresStart = postgresStart;
  }

  static SearchCpu start(long serverPid) {
    return new SearchCpu(serverPid, ticks(serverPid), postgresTicks());
  }

  /**
   * CPU per search since the start, µs.
   *
   * @param server of the server's JVM
   * @param postgres of every PostgreSQL process on this machine
   */
  record PerSearch(double server, double postgres) {}

  PerSearch perSearch(long searches) {
    long n = Math.max(1, searches);
    return new PerSearch(
        (ticks(serverPid) - serverStart) * MICROS_PER_TICK / n,
        (postgresTicks() - postgresStart) * MICROS_PER_TICK / n);
  }

  private static long postgresTicks() {
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      return processes
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(SearchCpu::isPostgres)
          .mapToLong(p -> ticks(Long.parseLong(p.getFileName().toString())))
          .sum();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static boolean isPostgres(Path process) {
    try {
      return Files.readString(process.resolve("comm")).strip().equals("postgres");
    } catch (IOException | RuntimeException e) {
      return false; // gone meanwhile
    }
  }

  /** utime + stime of a process (all its threads), in clock ticks; 0 if it is gone. */
  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
