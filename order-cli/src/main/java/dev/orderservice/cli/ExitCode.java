package dev.orderservice.cli;

/**
 * The exit codes of {@code order-cli}, in one place.
 *
 * <p>{@link #USAGE} is picocli's own code for an invalid command line and is kept as it is; it
 * shares its value with {@link #REJECTED}, so a script that needs to tell them apart reads stderr
 * (a usage error is one line ending in {@code (see --help)}).
 */
final class ExitCode {

  /** Everything was done: every order accepted (a duplicate counts as accepted), or found. */
  static final int OK = 0;

  /** An operational error: a database or broker unreachable, a file unreadable, a bug. */
  static final int FAILED = 1;

  /** The command ran, but some orders were rejected (invalid or conflicting). */
  static final int REJECTED = 2;

  /** An invalid command line (picocli's default code for it). */
  static final int USAGE = 2;

  /** {@code get}: no order with that uid. */
  static final int NOT_FOUND = 3;

  private ExitCode() {}
}
