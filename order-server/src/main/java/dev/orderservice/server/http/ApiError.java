package dev.orderservice.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A request the API answers with an error status and a JSON body ({@code {"error": "...", ...}}).
 * Thrown by handlers and turned into the response in one place, {@link ErrorMapping}. An expected
 * outcome of a request, not a defect: it carries no stack trace.
 */
final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient ObjectNode body;

  ApiError(int status, ObjectNode body) {
    super(Objects.requireNonNull(body, "body").path("error").asText(), null, false, false);
    this.status = status;
    this.body = body;
  }

  /** {@code {"error": message}} with {@code status}. */
  static ApiError of(int status, String message) {
    return new ApiError(status, Json.error(message));
  }

  int status() {
    return status;
  }

  ObjectNode body() {
    return body;
  }
}
