package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.server.feed.LivePolls;
import dev.orderservice.server.feed.LiveStream;
import dev.orderservice.server.http.BearerToken;
import dev.orderservice.server.http.ContractEndpoints;
import dev.orderservice.server.http.DocsResources;
import dev.orderservice.server.http.HealthEndpoints;
import dev.orderservice.server.http.HttpApi;
import dev.orderservice.server.http.MetricsEndpoint;
import dev.orderservice.server.http.OrderEndpoints;
import dev.orderservice.server.http.PageResources;
import dev.orderservice.server.http.PersonalDataEndpoints;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document and {@link HttpApi#routes}, the server's one list of routes, name the same
 * routes: a route added to the server and not to the document (or the other way round) fails here.
 */
class OpenApiRoutesTest {

  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

  private final JsonNode document = OpenApiContract.bundled();

  @Test
  void theDocumentDescribesEveryRouteTheServerRegistersAndNoOther() {
    List<String> registered =
        registeredRoutes().stream()
            .map(route -> route.method() + " " + documentPath(route.template()))
            .toList();

    assertThat(documentedOperations()).containsExactlyInAnyOrderElementsOf(registered);
  }

  @Test
  void everyPathParameterIsDeclaredAsAPathParameterOfItsOperation() {
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      List<String> inTemplate = new ArrayList<>();
      Matcher m = PARAMETER.matcher(path.getKey());
      while (m.find()) {
        inTemplate.add(m.group(1));
      }
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        List<String> declared = new ArrayList<>();
        for (JsonNode parameter : op.getValue().path("parameters")) {
          JsonNode resolved = resolve(parameter);
          if (resolved.path("in").asText().equals("path")) {
            declared.add(resolved.path("name").asText());
          }
        }
        assertThat(declared)
            .as("%s %s", op.getKey(), path.getKey())
            .containsExactlyInAnyOrderElementsOf(inTemplate);
      }
    }
  }

  @Test
  void everyOperationDocumentsAnInternalError() {
    for (String operation : documentedOperations()) {
      String[] methodAndPath = operation.split(" ", 2);
      JsonNode responses =
          document
              .path("paths")
              .path(methodAndPath[1])
              .path(methodAndPath[0].toLowerCase(Locale.ROOT))
              .path("responses");
      assertThat(responses.has("500")).as(operation).isTrue();
    }
  }

  /** The routes as the server registers them; the endpoints themselves play no part. */
  private static List<HttpApi.Route> registeredRoutes() {
    return HttpApi.routes(
        mock(OrderEndpoints.class),
        mock(HealthEndpoints.class),
        mock(MetricsEndpoint.class),
        mock(PageResources.class),
        mock(ContractEndpoints.class),
        mock(DocsResources.class),
        mock(PersonalDataEndpoints.class),
        mock(LiveStream.class)::stream,
        mock(LivePolls.class)::events,
        new BearerToken(Optional.empty()));
  }

  /**
   * An Undertow template as an OpenAPI path: the same, but for a trailing wildcard ({@code
   * /assets/*}), which OpenAPI has no syntax for and the document names {@code {path}}.
   */
  private static String documentPath(String template) {
    return template.endsWith("/*")
        ? template.substring(0, template.length() - 1) + "{path}"
        : template;
  }

  /** {@code GET /orders}, ... for every operation of the document. */
  private List<String> documentedOperations() {
    List<String> operations = new ArrayList<>();
    document
        .path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        method -> {
                          if (METHODS.contains(method)) {
                            operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                          }
                        }));
    return operations;
  }

  private JsonNode resolve(JsonNode node) {
    String ref = node.path("$ref").asText("");
    return ref.startsWith("#/") ? document.at(ref.substring(1)) : node;
  }
}
