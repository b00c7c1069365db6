package dev.orderservice.server.http;

import io.undertow.server.HttpServerExchange;

/**
 * The published contract, for producers and clients: {@code GET /schema/order.json}, the order's
 * JSON Schema (2020-12) as order-domain ships it, and {@code GET /openapi.json}, the OpenAPI 3.1
 * document of every route in {@link HttpApi}, which refers to the schema as {@code
 * schema/order.json} (relative to its own address). Both are read from the classpath once, at
 * construction, and served as {@link BundledFile}s. Immutable and thread safe.
 */
public final class ContractEndpoints {

  /** The order's JSON Schema, in the order-domain jar. */
  public static final String SCHEMA_RESOURCE = "schema/order.schema.json";

  /** The OpenAPI document, in this module's jar. */
  public static final String OPENAPI_RESOURCE = "openapi/openapi.json";

  /** JSON Schema's own media type (JSON, so UTF-8 without a charset parameter). */
  static final String SCHEMA_CONTENT_TYPE = "application/schema+json";

  private final BundledFile schema;
  private final BundledFile openApi;

  /**
   * @throws IllegalStateException if either document is not on the classpath
   */
  public ContractEndpoints(ClassLoader classLoader) {
    this.schema = BundledFile.load(classLoader, SCHEMA_RESOURCE, SCHEMA_CONTENT_TYPE);
    this.openApi = BundledFile.load(classLoader, OPENAPI_RESOURCE, Responses.JSON);
  }

  /** {@code GET /schema/order.json}. */
  void schema(HttpServerExchange exchange) {
    schema.serve(exchange);
  }

  /** {@code GET /openapi.json}. */
  void openApi(HttpServerExchange exchange) {
    openApi.serve(exchange);
  }
}
