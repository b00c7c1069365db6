package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.server.http.ContractEndpoints;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract's two documents as the server serves them: the OpenAPI document is sound OpenAPI 3.1
 * for swagger-parser, with its reference to the order's schema resolved against the running server;
 * its examples are valid against its own schemas; both documents are cacheable.
 */
class OpenApiDocumentTest {

  private static OrderServer server;
  private static OpenApiContract contract;

  @BeforeAll
  static void startServer() {
    server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("openapi_doc"), TestStack.newTopic("openapi_doc"));
    contract = OpenApiContract.servedBy(server);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void swaggerParserReadsTheDocumentAsOpenApi31WithoutAMessage() {
    SwaggerParseResult result = parse(false);

    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
    assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1.");
  }

  @Test
  void theOrderSchemaIsResolvedFromTheServerRelativeToTheDocument() {
    SwaggerParseResult result = parse(true);

    assertThat(result.getMessages()).isEmpty();
    OpenAPI api = result.getOpenAPI();
    Schema<?> order = api.getComponents().getSchemas().get("Order");
    assertThat(order.get$ref()).isNull();
    assertThat(order.getProperties()).containsKeys("order_uid", "delivery", "payment", "items");
    assertThat(
            contract
                .documentUri()
                .resolve(contract.document().at("/components/schemas/Order/$ref").asText()))
        .isEqualTo(server.baseUri().resolve("/schema/order.json"));
  }

  @Test
  void theSampleOrderExampleIsTheRepositorysSampleOrder() throws IOException {
    JsonNode sample = Http.JSON.readTree(TestStack.sampleBytes());

    assertThat(contract.document().at("/components/examples/SampleOrder/value")).isEqualTo(sample);
    assertThat(contract.errors("/components/schemas/Order", sample.toString())).isEmpty();
  }

  @Test
  void everyExampleIsValidAgainstTheSchemaBesideIt() {
    List<String> checked = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    contract
        .document()
        .at("/paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        operation -> {
                          String at =
                              "/paths/"
                                  + OpenApiContract.escape(path.getKey())
                                  + "/"
                                  + operation.getKey();
                          mediaTypes(at + "/requestBody/content", checked, errors);
                          operation
                              .getValue()
                              .path("responses")
                              .fieldNames()
                              .forEachRemaining(
                                  status ->
                                      mediaTypes(
                                          contract.resolve(at + "/responses/" + status).pointer()
                                              + "/content",
                                          checked,
                                          errors));
                        }));

    assertThat(errors).isEmpty();
    assertThat(checked).as("examples checked").hasSizeGreaterThan(20);
  }

  @Test
  void theDocumentIsServedAsJsonWithAnETagAndNotModifiedWhenUnchanged() {
    OpenApiContract.Answer answer = contract.get("openapi.json");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).contains("application/json");
    assertThat(answer.header("X-Content-Type-Options")).contains("nosniff");
    assertThat(answer.header("Cache-Control")).contains("no-cache");
    assertThat(answer.body()).isEqualTo(classpathBytes(ContractEndpoints.OPENAPI_RESOURCE));
    contract.assertConforms("GET", "/openapi.json", answer);

    OpenApiContract.Answer again =
        contract.get("openapi.json", "If-None-Match", answer.header("ETag").orElseThrow());
    assertThat(again.status()).isEqualTo(304);
    contract.assertConforms("GET", "/openapi.json", again);
  }

  @Test
  void theOrderSchemaIsServedAsSchemaJsonFromTheOrderDomainJar() {
    OpenApiContract.Answer answer = contract.get("schema/order.json");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).contains("application/schema+json");
    assertThat(answer.header("X-Content-Type-Options")).contains("nosniff");
    assertThat(answer.body()).isEqualTo(classpathBytes(ContractEndpoints.SCHEMA_RESOURCE));
    assertThat(answer.json().path("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    contract.assertConforms("GET", "/schema/order.json", answer);

    String etag = answer.header("ETag").orElseThrow();
    OpenApiContract.Answer again = contract.get("schema/order.json", "If-None-Match", etag);
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    contract.assertConforms("GET", "/schema/order.json", again);
    assertThat(contract.get("schema/order.json", "If-None-Match", "\"other\"").status())
        .isEqualTo(200);
  }

  private static SwaggerParseResult parse(boolean resolve) {
    ParseOptions options = new ParseOptions();
    options.setResolve(resolve);
    return new OpenAPIParser().readLocation(contract.documentUri().toString(), null, options);
  }

  /** Checks the examples of each media type under {@code content} against its schema. */
  private static void mediaTypes(String content, List<String> checked, List<String> errors) {
    contract
        .document()
        .at(content)
        .fields()
        .forEachRemaining(
            mediaType -> {
              String at = content + "/" + OpenApiContract.escape(mediaType.getKey());
              if (!mediaType.getValue().has("schema") || !mediaType.getKey().endsWith("json")) {
                return;
              }
              List<JsonNode> examples = new ArrayList<>();
              mediaType
                  .getValue()
                  .path("examples")
                  .forEach(example -> examples.add(resolve(example).path("value")));
              if (mediaType.getValue().has("example")) {
                examples.add(mediaType.getValue().path("example"));
              }
              for (JsonNode example : examples) {
                checked.add(at);
                contract
                    .errors(at + "/schema", example.toString())
                    .forEach(error -> errors.add(at + ": " + error));
              }
            });
  }

  private static JsonNode resolve(JsonNode node) {
    String ref = node.path("$ref").asText("");
    return ref.startsWith("#/") ? contract.document().at(ref.substring(1)) : node;
  }

  private static byte[] classpathBytes(String resource) {
    try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/" + resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
