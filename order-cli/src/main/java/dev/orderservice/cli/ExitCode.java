package dev.orderservice.cli;

/**
 * The exit codes of {@code order-cli}, in one place; {@code order-cli --help} lists them.
 *
 * <p>Each outcome has a code of its own, so that a script can tell "some orders were rejected" from
 * "the command was called wrongly" without reading stderr. A usage error is {@code EX_USAGE} of
 * {@code sysexits.h}, not picocli's default 2, which would be taken for {@link #REJECTED}.
 */
final class ExitCode {

  /** Everything was done: every order accepted (a duplicate counts as accepted), or found. */
  static final int OK = 0;

  /** An operational error: a database or broker unreachable, a file unreadable, a bug. */
  static final int FAILED = 1;

  /** The command ran, but some orders were rejected (invalid or conflicting). */
  static final int REJECTED = 2;

  /**
   * Nothing to act on: {@code get} found no order with that uid, {@code erase} none of the orders
   * or no order of the customer, {@code export} no order of the customer.
   */
  static final int NOT_FOUND = 3;

  /**
   * An invalid command line (an unknown option, a missing or malformed argument) or an invalid
   * setting, from a flag or its environment variable: {@code EX_USAGE}.
   */
  static final int USAGE = 64;

  private ExitCode() {}
}
