package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderservice.devstack.SharedKafka;
import dev.orderservice.devstack.SharedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/**
 * The lookup page ({@code GET /}) in a real headless Chromium against a real server (embedded
 * PostgreSQL and Kafka): what a person sees when looking orders up, uploading one and following
 * the recent-orders links, and that order data never runs as markup. Screenshots of each state are
 * kept in {@code target/screenshots/}.
 */
class LookupPageBrowserTest {

  private static final String SCRIPT_PAYLOAD = "<script>window.__xss=1</script>";
  private static final String IMG_PAYLOAD = "<img src=x onerror=\"window.__xss=2\">";
  private static final String SVG_PAYLOAD = "<svg onload=\"alert(document.domain)\"></svg>";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static OrderServer server;
  private static BrowserSession browser;
  private static ObjectNode sample;

  @BeforeAll
  static void startServerAndBrowser() throws IOException {
    browser = BrowserSession.start(moduleDir().resolve("target/screenshots"));
    server =
        OrderServer.start(
            ServerConfig.parse(
                new String[] {
                  "--http-addr", "127.0.0.1:0",
                  "--db-dsn", SharedPostgres.jdbcUrlForTests("browser_test"),
                  "--kafka-broker", SharedKafka.instance().bootstrapServers(),
                  "--kafka-topic", "browser-orders"
                },
                Map.of()));
    sample = (ObjectNode) JSON.readTree(Files.readAllBytes(sampleOrderFile()));
    int status = postOrder(sample).statusCode();
    assertThat(status).as("storing the sample order").isIn(200, 201);
  }

  @AfterAll
  static void stopServerAndBrowser() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void theSampleOrderIsShownAsADocumentWithItsItemsAndTotals() throws IOException {
    String uid = sample.get("order_uid").asText();

    openPage("#" + uid);
    WebElement view = waitForOrder(uid);

    assertThat(field(view, "order_uid")).isEqualTo(uid);
    assertThat(field(view, "track_number")).isEqualTo("WBILMTESTTRACK");
    assertThat(field(view, "customer_id")).isEqualTo("test");
    assertThat(field(view, "date_created")).isEqualTo("26 Nov 2021, 06:22:19 UTC");
    assertThat(view.getText()).contains("2021-11-26T06:22:19Z");
    assertThat(field(view, "delivery.name")).isEqualTo("Test Testov");
    assertThat(field(view, "delivery.email")).isEqualTo("test@gmail.com");
    assertThat(field(view, "payment.amount")).isEqualTo("1817 USD");
    assertThat(field(view, "payment.payment_dt")).contains("26 Nov 2021, 06:22:07 UTC");

    List<WebElement> rows = view.findElements(By.cssSelector("#items-table tbody tr"));
    assertThat(rows).hasSize(1);
    assertThat(cellTexts(rows.get(0)))
        .containsExactly(
            "Mascaras",
            "Vivienne Sabo",
            "0",
            "453",
            "30",
            "317",
            "9934930",
            "2389212",
            "ab4219087a764ae0btest",
            "202");
    WebElement totals = view.findElement(By.id("items-totals"));
    assertThat(field(totals, "items_total")).isEqualTo("317 USD");
    assertThat(field(totals, "goods_total")).isEqualTo("317 USD");
    assertThat(totals.getText()).contains("Total (1 item)");

    assertThat(browser.driver().findElement(By.id("order-uid")).getDomProperty("value"))
        .isEqualTo(uid);
    assertThat(browser.takeConsoleMessages())
        .as("console messages: the page needs nothing the Content-Security-Policy forbids")
        .noneMatch(message -> message.contains("Content Security Policy"));
    assertThat(browser.screenshot("order")).isNotEmptyFile();
  }

  @Test
  void anUnknownOrderIsReportedAsNotFound() throws IOException {
    String uid = "browser-unknown-" + shortId();

    openPage("#" + uid);

    WebElement status = waitForStatus("lookup-status", "notfound");
    assertThat(status.getText()).contains("Order " + uid + " not found");
    assertThat(browser.driver().findElement(By.id("order-view")).isDisplayed()).isFalse();
    assertThat(browser.screenshot("not-found")).isNotEmptyFile();
  }

  @Test
  void aMalformedOrderUidShowsTheServersReasonAndAnEmptyOneAsksForInput() throws IOException {
    openPage("");
    WebElement input = browser.driver().findElement(By.id("order-uid"));

    browser.driver().findElement(By.id("lookup-button")).click();
    assertThat(waitForStatus("lookup-status", "info").getText()).contains("Enter an order_uid");

    input.sendKeys("not a uid!");
    browser.driver().findElement(By.id("lookup-button")).click();
    WebElement status = waitForStatus("lookup-status", "error");
    assertThat(status.getText())
        .contains("Malformed order_uid")
        .contains("order_uid: must be 1..64 characters of [A-Za-z0-9_-]");
    assertThat(browser.screenshot("malformed")).isNotEmptyFile();
  }

  @Test
  void markupInOrderFieldsIsShownAsTextAndNeverRuns() throws IOException {
    ObjectNode order = orderWithUid("browser-xss-" + shortId());
    ((ObjectNode) order.get("delivery")).put("name", SCRIPT_PAYLOAD);
    ((ObjectNode) order.get("delivery")).put("address", SVG_PAYLOAD);
    order.put("customer_id", IMG_PAYLOAD);
    ObjectNode item = (ObjectNode) order.get("items").get(0);
    item.put("name", IMG_PAYLOAD);
    item.put("brand", SCRIPT_PAYLOAD);
    assertThat(postOrder(order).statusCode()).isEqualTo(201);
    String uid = order.get("order_uid").asText();

    openPage("#" + uid);
    WebElement view = waitForOrder(uid);

    assertThat(textContent(view, "delivery.name")).isEqualTo(SCRIPT_PAYLOAD);
    assertThat(textContent(view, "delivery.address")).isEqualTo(SVG_PAYLOAD);
    assertThat(textContent(view, "customer_id")).isEqualTo(IMG_PAYLOAD);
    WebElement row = view.findElement(By.cssSelector("#items-table tbody tr"));
    assertThat(textContent(row, "name")).isEqualTo(IMG_PAYLOAD);
    assertThat(textContent(row, "brand")).isEqualTo(SCRIPT_PAYLOAD);
    assertThat(browser.driver().findElement(By.id("raw-json")).getDomProperty("textContent"))
        .contains("window.__xss=1");

    assertThat(browser.script("return typeof window.__xss;")).isEqualTo("undefined");
    assertThat(view.findElements(By.cssSelector("img, script, svg"))).isEmpty();
    assertThatThrownBy(() -> browser.driver().switchTo().alert())
        .isInstanceOf(NoAlertPresentException.class);
    assertThat(browser.takeConsoleMessages())
        .as("console messages: nothing tried to run and was stopped by the policy")
        .noneMatch(message -> message.contains("Content Security Policy"));
    assertThat(browser.screenshot("xss")).isNotEmptyFile();
  }

  @Test
  void recentOrdersAreListedAsLinksThatLoadTheOrder() throws IOException {
    ObjectNode order = orderWithUid("browser-recent-" + shortId());
    order.put(
        "date_created",
        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
    assertThat(postOrder(order).statusCode()).isEqualTo(201);
    String uid = order.get("order_uid").asText();

    openPage("");
    By link = By.cssSelector("#recent-list a[data-uid='" + uid + "']");
    WebElement entry = browser.waiting().until(visibilityOfElementLocated(link));
    assertThat(entry.getDomAttribute("href")).isEqualTo("#" + uid);
    assertThat(entry.getText()).contains(uid).contains("1817 USD").contains("1 item");
    assertThat(browser.driver().findElements(By.cssSelector("#recent-list a")))
        .hasSizeBetween(1, 20);
    assertThat(browser.screenshot("recent")).isNotEmptyFile();

    entry.click();

    waitForOrder(uid);
    assertThat(browser.script("return location.hash;")).isEqualTo("#" + uid);
  }

  @Test
  void uploadingAFileCreatesTheOrderThenReportsItAsAlreadyStored(@TempDir Path dir)
      throws IOException {
    String uid = "browser-upload-" + shortId();
    Path file = dir.resolve("order.json");
    Files.write(file, JSON.writeValueAsBytes(orderWithUid(uid)));
    openPage("");

    upload(file);

    WebElement status = waitForStatus("upload-status", "ok");
    assertThat(status.getText()).contains("Created order " + uid);
    browser
        .waiting()
        .until(visibilityOfElementLocated(By.cssSelector("#recent-list a[data-uid='" + uid + "']")));
    assertThat(browser.screenshot("upload-created")).isNotEmptyFile();

    upload(file);

    browser.waiting().until(textToBePresentInElementLocated(By.id("upload-status"), "Already"));
    assertThat(browser.driver().findElement(By.id("upload-status")).getText())
        .contains("Already stored: order " + uid);

    browser.driver().findElement(By.cssSelector("#upload-status a[data-uid='" + uid + "']")).click();
    waitForOrder(uid);
  }

  @Test
  void uploadingAnInvalidOrderListsEachViolation(@TempDir Path dir) throws IOException {
    ObjectNode order = orderWithUid("browser-invalid-" + shortId());
    ((ObjectNode) order.get("delivery")).put("email", "not-an-address");
    ((ObjectNode) order.get("items").get(0)).put("price", -1);
    Path file = dir.resolve("invalid.json");
    Files.write(file, JSON.writeValueAsBytes(order));
    openPage("");

    upload(file);

    WebElement status = waitForStatus("upload-status", "error");
    assertThat(status.findElements(By.cssSelector(".status__details li")))
        .extracting(WebElement::getText)
        .contains("delivery.email: must be an e-mail address", "items[0].price: must be >= 0");
    assertThat(browser.screenshot("upload-invalid")).isNotEmptyFile();
  }

  @Test
  void thePageAndItsAssetsCarryAPolicyThatForbidsInlineScript() throws Exception {
    for (String path : List.of("", "assets/app.js", "assets/app.css")) {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(server.baseUri().resolve(path)).GET().build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Security-Policy"))
          .as(path)
          .hasValueSatisfying(
              csp ->
                  assertThat(csp)
                      .contains("default-src 'none'")
                      .contains("script-src 'self'")
                      .doesNotContain("unsafe-inline"));
      assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
  }

  // ---------------------------------------------------------------- page helpers

  /** Loads the page afresh (not a same-document hash change) with the given fragment. */
  private static void openPage(String fragment) {
    browser.driver().get("about:blank");
    browser.takeConsoleMessages(); // only this page's messages count
    browser.driver().get(server.baseUri().resolve("/") + fragment);
  }

  private static WebElement waitForOrder(String uid) {
    By title = By.cssSelector("#order-view [data-field='order_uid']");
    browser.waiting().until(visibilityOfElementLocated(title));
    browser.waiting().until(textToBePresentInElementLocated(title, uid));
    return browser.driver().findElement(By.id("order-view"));
  }

  private static WebElement waitForStatus(String id, String kind) {
    browser.waiting().until(attributeToBe(By.id(id), "data-kind", kind));
    return browser.driver().findElement(By.id(id));
  }

  private static void upload(Path file) {
    browser.driver().findElement(By.id("order-file")).sendKeys(file.toAbsolutePath().toString());
    browser.driver().findElement(By.id("upload-button")).click();
  }

  /** The rendered text of the element marked {@code data-field=name}. */
  private static String field(WebElement scope, String name) {
    return scope.findElement(By.cssSelector("[data-field='" + name + "']")).getText();
  }

  /** The exact text content (no whitespace folding) of the element marked {@code data-field}. */
  private static String textContent(WebElement scope, String name) {
    return scope
        .findElement(By.cssSelector("[data-field='" + name + "']"))
        .getDomProperty("textContent");
  }

  private static List<String> cellTexts(WebElement row) {
    return row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
  }

  // ---------------------------------------------------------------- order helpers

  private static ObjectNode orderWithUid(String uid) {
    ObjectNode order = sample.deepCopy();
    order.put("order_uid", uid);
    ((ObjectNode) order.get("payment")).put("transaction", uid);
    return order;
  }

  private static HttpResponse<String> postOrder(ObjectNode order) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(server.baseUri().resolve("/orders"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(order)))
            .timeout(Duration.ofSeconds(30))
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while posting an order", e);
    }
  }

  private static String shortId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** The module's folder: Surefire runs in it, an IDE may run in the repository root. */
  private static Path moduleDir() {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    return Files.isDirectory(dir.resolve("order-server")) ? dir.resolve("order-server") : dir;
  }

  private static Path sampleOrderFile() {
    Path file = moduleDir().resolve("../samples/order.json").normalize();
    assertThat(file).as("the repository's sample order").isRegularFile();
    return file;
  }
}
