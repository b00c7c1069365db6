package dev.orderservice.bench;

import java.util.Arrays;

/** Entry point of {@code bench/run}: picks a benchmark by name. */
public final class Bench {

  private static final String USAGE =
      """
      usage: bench/run store  [--orders N] [--batch N]
             bench/run ingest [--orders N] [--partitions N] [--batch N] [--topic NAME]
                              [--tracing]
             bench/run http   [--orders N] [--warmup-orders N] [--threads N] [--connections N]
                              [--duration SECONDS] [--server-heap SIZE] [--trace-ratio R]
             bench/run read   [--orders N] [--pool N] [--threads N] [--connections N]
                              [--duration SECONDS]
             bench/run validate [--orders N] [--invalid-every N] [--cpus LIST]
             bench/run search [--orders N] [--page N] [--cursor-walks N] [--threads N]
                              [--connections N] [--duration SECONDS] [--ingest-backlog N]
             bench/run freshness [--rates N,N] [--duration SECONDS] [--warmup SECONDS]
                              [--partitions N] [--read-backs N]
             bench/run retention [--orders N] [--ingest N] [--action anonymize|delete|both]
                              [--partitions N] [--topic NAME]\
      """;

  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(USAGE);
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "store" -> StoreBenchmark.run(Options.parse(rest));
      case "ingest" -> IngestBenchmark.run(Options.parse(rest));
      case "http" -> HttpBenchmark.run(Options.parse(rest));
      case "read" -> ReadBenchmark.run(Options.parse(rest));
      case "validate" -> ValidateBenchmark.run(Options.parse(rest));
      case "search" -> SearchBenchmark.run(Options.parse(rest));
      case "freshness" -> FreshnessBenchmark.run(Options.parse(rest));
      case "retention" -> RetentionBenchmark.run(Options.parse(rest));
      default -> {
        System.err.println(
            "unknown benchmark '"
                + args[0]
                + "'; known: store, ingest, http, read, validate, search, freshness,"
                + " retention");
        System.exit(2);
      }
    }
  }
}
