package dev.orderservice.server.lifecycle;

/**
 * A dependency refuses the server in a way that waiting does not change (PostgreSQL's certificate
 * does not verify): start-up stops. The message is one sentence that says it all, for the log and
 * stderr without a stack trace; it holds no secret.
 */
public final class StartRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StartRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
