package dev.orderservice.settings;

/**
 * A setting's value is not one it takes. The message is one line, {@code invalid VAR (--flag)
 * "value": why}, without the value when it is secret; a runner prints it as it is and exits with
 * its usage error code.
 */
public final class InvalidSettingException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  InvalidSettingException(String message) {
    super(message);
  }
}
