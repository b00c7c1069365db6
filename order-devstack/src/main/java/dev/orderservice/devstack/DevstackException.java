package dev.orderservice.devstack;

/**
 * Thrown when an embedded server of this module cannot be prepared, started or stopped.
 *
 * <p>The message says what was attempted and, where there is one, ends with the tail of the
 * server's log or of the failing command's output, so that a test report alone is enough to see why
 * (for example "could not bind IPv4 address ... Address already in use").
 *
 * <p>Unchecked because callers (tests, the server's embedded mode) cannot recover from it in a
 * meaningful way other than failing.
 */
public final class DevstackException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  DevstackException(String message) {
    super(message);
  }

  DevstackException(String message, Throwable cause) {
    super(message, cause);
  }
}
