package dev.orderservice.bench;

import java.util.Arrays;

/** Entry point of {@code bench/run}: picks a benchmark by name. */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: bench/run store [--orders N] [--batch N]");
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "store" -> StoreBenchmark.run(Options.parse(rest));
      default -> {
        System.err.println("unknown benchmark '" + args[0] + "'; known: store");
        System.exit(2);
      }
    }
  }
}
