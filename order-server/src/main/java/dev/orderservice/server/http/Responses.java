package dev.orderservice.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;

/** Writes responses. Stateless; called on the thread that handles the exchange. */
public final class Responses {

  public static final String JSON = "application/json";

  private Responses() {}

  public static void json(HttpServerExchange exchange, int status, JsonNode body) {
    json(exchange, status, Json.bytes(body));
  }

  /** {@code body} must be UTF-8 JSON; it is sent as it is. */
  public static void json(HttpServerExchange exchange, int status, byte[] body) {
    send(exchange, status, JSON, body);
  }

  static void send(HttpServerExchange exchange, int status, String contentType, byte[] body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }
}
