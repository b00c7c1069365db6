package dev.orderservice.cli;

/** {@code order-cli}'s entry point: runs the command and exits with its {@link ExitCode}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // jOOQ prints a banner and tips on first use unless told not to; the CLI stays quiet.
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    System.exit(OrderCli.commandLine().execute(args));
  }
}
