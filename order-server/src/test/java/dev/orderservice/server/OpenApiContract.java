package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.orderservice.server.http.ContractEndpoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The OpenAPI document as a running server serves it, and the check of a real answer against it:
 * the route and the status are documented, every header the document marks required is there, the
 * content type is one the document lists (or there is no body where it lists none), and a JSON body
 * validates against the documented schema. Schemas are validated by json-schema-validator (draft
 * 2020-12, OpenAPI 3.1's dialect) straight from the document's JSON, with every {@code $ref}
 * fetched from the server: the document's own components and the order's schema, which the document
 * names {@code schema/order.json}, relative to its own address.
 */
final class OpenApiContract {

  /** Where the server serves the document, relative to its base address. */
  static final String DOCUMENT = "openapi.json";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI base;
  private final URI documentUri;
  private final JsonNode document;
  private final SchemaRegistry registry;

  private OpenApiContract(URI base) {
    this.base = base;
    this.documentUri = base.resolve(DOCUMENT);
    this.document = get(DOCUMENT).json();
    this.registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(this::fetchFromServer));
  }

  /** The document {@code server} serves. */
  static OpenApiContract servedBy(OrderServer server) {
    return new OpenApiContract(server.baseUri());
  }

  /** The document as the jar ships it, for tests that need no server. */
  static JsonNode bundled() {
    try (InputStream in =
        OpenApiContract.class.getResourceAsStream("/" + ContractEndpoints.OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            ContractEndpoints.OPENAPI_RESOURCE + " is not on the classpath");
      }
      return Http.JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode document() {
    return document;
  }

  URI documentUri() {
    return documentUri;
  }

  /** A GET of {@code path} (relative to the server's base) with the given header pairs. */
  Answer get(String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return Answer.of(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Asserts that {@code answer} is one the document allows for {@code method} on {@code path} (a
   * path of the document, such as {@code /orders/{order_uid}}).
   */
  void assertConforms(String method, String path, Answer answer) {
    String operation = "/paths/" + escape(path) + "/" + method.toLowerCase(Locale.ROOT);
    assertThat(document.at(operation).isObject()).as("%s %s is documented", method, path).isTrue();
    String what = method + " " + path + " " + answer.status();
    Resolved response = resolve(operation + "/responses/" + answer.status());
    assertThat(response.node().isObject())
        .as("%s is documented; the answer was: %s", what, answer.text())
        .isTrue();
    assertRequiredHeaders(what, response, answer);
    JsonNode content = response.node().path("content");
    if (content.isMissingNode() || content.isEmpty()) {
      assertThat(answer.body()).as("%s has no body", what).isEmpty();
      return;
    }
    String mediaType = answer.mediaType();
    assertThat(content.has(mediaType))
        .as("%s: content type %s is one of %s", what, mediaType, fieldNames(content))
        .isTrue();
    if (isJson(mediaType) && content.path(mediaType).has("schema")) {
      String schema = response.pointer() + "/content/" + escape(mediaType) + "/schema";
      assertThat(errors(schema, answer.text()))
          .as("%s: the body %s against the documented schema", what, answer.text())
          .isEmpty();
    }
  }

  /** What is wrong with {@code json} against the schema at {@code pointer} in the document. */
  List<String> errors(String pointer, String json) {
    Schema schema = registry.getSchema(SchemaLocation.of(documentUri + "#" + fragment(pointer)));
    return schema.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
  }

  /**
   * The node at {@code pointer}, following a {@code $ref} to another part of the document, with the
   * pointer it was found at.
   */
  Resolved resolve(String pointer) {
    JsonNode node = document.at(pointer);
    String ref = node.path("$ref").asText("");
    if (ref.startsWith("#/")) {
      return resolve(ref.substring(1));
    }
    return new Resolved(node, pointer);
  }

  /** A node of the document and where it is. */
  record Resolved(JsonNode node, String pointer) {}

  /** An answer of the server, from any client. */
  record Answer(int status, Map<String, List<String>> headers, byte[] body) {

    Answer {
      TreeMap<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      byName.putAll(headers);
      headers = byName;
    }

    static Answer of(HttpResponse<byte[]> response) {
      return new Answer(response.statusCode(), response.headers().map(), response.body());
    }

    Optional<String> header(String name) {
      return headers.getOrDefault(name, List.of()).stream().findFirst();
    }

    /** The content type without its parameters, in lower case; empty if there is none. */
    String mediaType() {
      String type = header("Content-Type").orElse("");
      int parameters = type.indexOf(';');
      return (parameters < 0 ? type : type.substring(0, parameters))
          .strip()
          .toLowerCase(Locale.ROOT);
    }

    String text() {
      return new String(body, UTF_8);
    }

    JsonNode json() {
      try {
        return Http.JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + text(), e);
      }
    }
  }

  private void assertRequiredHeaders(String what, Resolved response, Answer answer) {
    JsonNode headers = response.node().path("headers");
    for (Iterator<String> names = headers.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      Resolved header = resolve(response.pointer() + "/headers/" + escape(name));
      if (header.node().path("required").asBoolean(false)) {
        assertThat(answer.header(name)).as("%s has the header %s", what, name).isPresent();
      }
    }
  }

  /** json-schema-validator asks for every document it needs; all of them are on the server. */
  private String fetchFromServer(String iri) {
    if (!iri.startsWith(base.toString())) {
      return null;
    }
    Answer answer = get(URI.create(iri).getRawPath().substring(1));
    assertThat(answer.status()).as("GET %s", iri).isEqualTo(200);
    return answer.text();
  }

  private static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** A JSON Pointer token (RFC 6901): {@code ~} and {@code /} escaped. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /** A JSON Pointer as a URI fragment: what a fragment may not hold percent-encoded. */
  private static String fragment(String pointer) {
    StringBuilder out = new StringBuilder();
    for (byte b : pointer.getBytes(UTF_8)) {
      char c = (char) (b & 0xff);
      if (Character.isLetterOrDigit(c) && c < 128 || "/-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
