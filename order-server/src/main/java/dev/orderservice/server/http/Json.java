package dev.orderservice.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.Violation;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON the API writes, built as trees so that field names and order are visible here in one
 * place. Stateless and thread safe.
 */
public final class Json {

  /**
   * Reads request bodies as strictly as {@code OrderCodec} does: duplicate keys and content after
   * the document are errors.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static ArrayNode array() {
    return NODES.arrayNode();
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write a JSON tree", e); // trees always serialise
    }
  }

  /** {@code {"error": message}}. */
  static ObjectNode error(String message) {
    return object().put("error", message);
  }

  /** {@code {"error": message, "violations": [...]}}. */
  static ObjectNode error(String message, List<Violation> violations) {
    ObjectNode body = error(message);
    body.set("violations", violations(violations));
    return body;
  }

  static ArrayNode violations(List<Violation> violations) {
    ArrayNode array = array();
    for (Violation v : violations) {
      array.addObject().put("path", v.path()).put("reason", v.reason());
    }
    return array;
  }

  /** {@code {"order_uid": .., "status": ..}}: the answer to one order. */
  static ObjectNode accepted(AcceptResult result) {
    return object().put("order_uid", result.orderUid()).put("status", result.status().name());
  }

  /** {@code {"order_uid": .., "status": .., "violations": [..]}}: one line of a batch answer. */
  static ObjectNode acceptedWithViolations(AcceptResult result) {
    ObjectNode line = accepted(result);
    line.set("violations", violations(result.violations()));
    return line;
  }
}
