package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.orderservice.server.http.DocsResources;
import dev.orderservice.server.http.PageResources;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * {@code GET /docs}: Swagger UI on the OpenAPI document, every file from the server's jar, under a
 * Content-Security-Policy that is the lookup page's but for {@code data:} images. The last test
 * runs the page in Chromium (where installed, else it is skipped with the reason), which enforces
 * the policy and reports each violation on the console.
 */
class DocsPageTest {

  private static final Pattern REFERENCE = Pattern.compile("\\s(?:src|href)=\"([^\"]*)\"");
  private static final Pattern SCRIPT =
      Pattern.compile(
          "<script\\b([^>]*)>(.*?)</script>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern EVENT_HANDLER =
      Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);

  /** The operation GET /orders/{order_uid} on the page (Swagger UI names it by tag and id). */
  private static final String GET_ORDER = "#operations-orders-getOrder";

  private static OrderServer server;
  private static Http http;
  private static OpenApiContract contract;

  @BeforeAll
  static void startServer() {
    server =
        TestStack.startServer(TestStack.jdbcUrlWithOwnSchema("docs"), TestStack.newTopic("docs"));
    http = new Http(server);
    contract = OpenApiContract.servedBy(server);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theDocsPageIsServedWithItsContentSecurityPolicy() {
    OpenApiContract.Answer page = contract.get("docs");

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.header("Content-Security-Policy"))
        .contains(DocsResources.CONTENT_SECURITY_POLICY);
    assertThat(page.header("X-Content-Type-Options")).contains("nosniff");
  }

  @Test
  void thePolicyIsTheLookupPagesButForDataImages() {
    assertThat(DocsResources.CONTENT_SECURITY_POLICY)
        .isEqualTo(
            PageResources.CONTENT_SECURITY_POLICY.replace(
                "img-src 'self';", "img-src 'self' data:;"));
  }

  @Test
  void thePageHasNoInlineScriptNoEventHandlerAndNoInlineStyle() {
    String html = contract.get("docs").text();

    Matcher scripts = SCRIPT.matcher(html);
    int count = 0;
    while (scripts.find()) {
      count++;
      assertThat(scripts.group(1)).as("a script tag").contains(" src=");
      assertThat(scripts.group(2)).as("a script's content").isBlank();
    }
    assertThat(count).isEqualTo(2);
    assertThat(EVENT_HANDLER.matcher(html).find()).as("an on...= attribute").isFalse();
    assertThat(html.toLowerCase(Locale.ROOT)).doesNotContain("<style", " style=");
  }

  @Test
  void everyFileThePageRefersToIsOnThisServerAndServed() {
    URI page = server.baseUri().resolve("docs");
    List<String> references = new ArrayList<>();
    Matcher m = REFERENCE.matcher(contract.get("docs").text());
    while (m.find()) {
      references.add(m.group(1));
    }

    assertThat(references)
        .contains(
            "docs/swagger-ui-bundle.js",
            "docs/docs-init.js",
            "docs/swagger-ui.css",
            "openapi.json");
    for (String reference : references) {
      URI uri = URI.create(reference);
      assertThat(uri.getScheme()).as("%s has no scheme", reference).isNull();
      assertThat(uri.getRawAuthority()).as("%s has no host", reference).isNull();
      OpenApiContract.Answer file = contract.get(page.resolve(uri).getRawPath().substring(1));
      assertThat(file.status()).as("GET %s", reference).isEqualTo(200);
    }
  }

  @Test
  void theInitializerLoadsThisServersDocumentAndNothingElse() {
    String script = contract.get("docs/docs-init.js").text();

    assertThat(script)
        .contains("\"openapi.json\"", "validatorUrl: null")
        .doesNotContain("http:", "https:", "//cdn", "petstore");
  }

  @Test
  void noOtherFileOfTheJarCanBeReachedUnderDocs() {
    for (String path :
        List.of(
            "/docs/index.html",
            "/docs/swagger-initializer.js",
            "/docs/oauth2-redirect.html",
            "/docs/swagger-ui-standalone-preset.js",
            "/docs/",
            "/docs/docs/index.html",
            "/docs/../logback.xml",
            "/docs/..%2flogback.xml",
            "/docs/%2e%2e/logback.xml",
            "/docs/%2e%2e%2f%2e%2e%2flogback.xml",
            "/docs/..%2fopenapi%2fopenapi.json",
            "/docs/..%5c..%5clogback.xml")) {
      assertThat(http.getExactly(path).statusCode()).as(path).isEqualTo(404);
    }
  }

  @Test
  void swaggerUiShowsEveryOperationInChromiumWithoutAContentSecurityPolicyViolation()
      throws IOException {
    BrowserChoice choice = BrowserChoice.fromSystem();
    assumeTrue(choice.chromium().isPresent(), choice.leftOut());
    int operations = operationCount();
    List<String> orderFields = new ArrayList<>();
    contract
        .get("schema/order.json")
        .json()
        .path("required")
        .forEach(field -> orderFields.add(field.asText()));

    try (BrowserSession chromium =
        BrowserSession.startChromium(choice.chromium().get(), screenshots())) {
      chromium.driver().get(server.baseUri().resolve("docs").toString());
      chromium
          .waiting()
          .until(driver -> driver.findElements(By.cssSelector(".opblock")).size() == operations);
      chromium.driver().findElement(By.cssSelector(GET_ORDER + " .opblock-summary")).click();
      By schemaTab = By.cssSelector(GET_ORDER + " .response[data-code='200'] [data-name='model']");
      chromium.waiting().until(driver -> !driver.findElements(schemaTab).isEmpty());
      chromium.driver().findElement(schemaTab).click();
      // The order's schema is fetched from schema/order.json (relative to the document) and drawn.
      By okResponse = By.cssSelector(GET_ORDER + " .response[data-code='200']");
      chromium
          .waiting()
          .until(
              driver ->
                  orderFields.stream()
                      .allMatch(driver.findElement(okResponse).getText()::contains));
      chromium.screenshot("docs-page");

      assertThat(chromium.takeConsoleMessages()).isEmpty();
    }
  }

  private static int operationCount() {
    int[] count = {0};
    contract.document().path("paths").forEach(path -> count[0] += path.size());
    return count[0];
  }

  private static Path screenshots() throws IOException {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    Path module =
        Files.isDirectory(dir.resolve("order-server")) ? dir.resolve("order-server") : dir;
    return Files.createDirectories(module.resolve("target/screenshots"));
  }
}
