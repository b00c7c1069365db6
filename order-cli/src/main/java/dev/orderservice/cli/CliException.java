package dev.orderservice.cli;

/**
 * An operational failure the user can act on: the message is one line saying what failed and what
 * to do, printed as it is (with the cause's stack trace only under {@code --verbose}). Ends the
 * command with {@link ExitCode#FAILED}.
 */
final class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
