package dev.orderservice.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run validate}: {@code order-cli validate} on an NDJSON file of random orders, the
 * command line's own jar in a JVM of its own, pinned to one core with {@code taskset} (so its
 * garbage collector and JIT compiler share that core too). A few orders of the file are invalid (a
 * malformed uid), so that the rejected path is on the way; the benchmark checks the command counted
 * exactly those.
 *
 * <p>Reports orders per second over the command's own time (reading, decoding, validating,
 * reporting; the figure it prints) and over the whole process including the JVM's start, against
 * the target of 50,000 orders/s on one core.
 */
final class ValidateBenchmark {

  private static final double TARGET_PER_SECOND = 50_000;
  private static final Pattern CHECKED =
      Pattern.compile("checked ([\\d,]+) documents? from \\d+ files? in ([\\d.]+) s");
  private static final Pattern COUNTS = Pattern.compile("(\\d+) valid, (\\d+) invalid");

  private ValidateBenchmark() {}

  static void run(Options options) throws Exception {
    int count = options.integer("orders", 1_000_000);
    int invalidEvery = options.integer("invalid-every", 1_000);
    String cpus = options.text("cpus", "0");
    Path jar = Path.of(options.text("cli-jar", "order-cli/target/order-cli.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -pl order-cli -am package");
    }
    Path work = Files.createTempDirectory("bench-validate");
    try {
      Path file = work.resolve("orders.ndjson");
      long invalid = writeOrders(file, count, invalidEvery);
      long bytes = Files.size(file);

      List<String> command = new ArrayList<>();
      boolean pinned = onPath("taskset");
      if (pinned) {
        command.addAll(List.of("taskset", "-c", cpus));
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of("-XX:ActiveProcessorCount=1", "-Xmx512m", "-jar"));
      command.add(jar.toAbsolutePath().toString());
      command.addAll(List.of("validate", file.toString()));
      System.err.printf(
          "running order-cli validate on %,d orders (%,d MB)%s...%n",
          count, bytes >> 20, pinned ? " pinned to CPU " + cpus : "");
      Path out = work.resolve("validate.out");
      long started = System.nanoTime();
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      int exit = process.waitFor();
      double wallSeconds = (System.nanoTime() - started) / 1e9;
      String report = Files.readString(out, UTF_8);

      Matcher checked = CHECKED.matcher(report);
      Matcher counts = COUNTS.matcher(report);
      if (exit != (invalid > 0 ? 2 : 0) || !checked.find() || !counts.find()) {
        throw new IllegalStateException("order-cli validate exited " + exit + ":\n" + tail(report));
      }
      long documents = Long.parseLong(checked.group(1).replace(",", ""));
      double commandSeconds = Double.parseDouble(checked.group(2));
      long valid = Long.parseLong(counts.group(1));
      long rejected = Long.parseLong(counts.group(2));
      if (documents != count || rejected != invalid || valid != count - invalid) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "validate counted %d documents, %d valid, %d invalid; the file has %d, %d invalid",
                documents,
                valid,
                rejected,
                count,
                invalid));
      }
      double perSecond = count / commandSeconds;
      System.out.printf(
          Locale.ROOT,
          "validate: %,d NDJSON orders (%,d MB, %,d invalid) on %s%n",
          count,
          bytes >> 20,
          invalid,
          pinned ? "one core (taskset -c " + cpus + ")" : "one processor (ActiveProcessorCount=1)");
      System.out.printf(
          Locale.ROOT,
          "  command: %.1f s, %,.0f orders/s (%.1f MB/s); with the JVM's start: %.1f s, %,.0f"
              + " orders/s%n",
          commandSeconds,
          perSecond,
          bytes / 1e6 / commandSeconds,
          wallSeconds,
          count / wallSeconds);
      System.out.printf(
          Locale.ROOT,
          "  target %,.0f orders/s on one core: %s (%.2fx)%n",
          TARGET_PER_SECOND,
          perSecond >= TARGET_PER_SECOND ? "met" : "NOT met",
          perSecond / TARGET_PER_SECOND);
    } finally {
      try (var paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Writes {@code count} orders, one a line; every {@code invalidEvery}-th has a bad uid. */
  private static long writeOrders(Path file, int count, int invalidEvery) throws IOException {
    System.err.printf("writing %,d random orders as NDJSON...%n", count);
    RandomOrders random = new RandomOrders(20261130L);
    OrderCodec codec = OrderCodec.standard();
    long invalid = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      for (int i = 1; i <= count; i++) {
        boolean bad = invalidEvery > 0 && i % invalidEvery == 0;
        out.write(codec.encode(bad ? random.next("not a uid " + i) : random.next()));
        out.write('\n');
        invalid += bad ? 1 : 0;
      }
    }
    return invalid;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static String tail(String text) {
    return text.length() <= 2000 ? text : "..." + text.substring(text.length() - 2000);
  }
}
