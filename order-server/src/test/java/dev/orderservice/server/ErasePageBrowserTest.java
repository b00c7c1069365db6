package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.invisibilityOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The lookup page's Erase action ({@code POST /orders/{order_uid}/erase}) in headless browsers
 * against real servers (embedded PostgreSQL and Kafka): shown only while the tab has an API token,
 * confirmed before it runs, the erased document shown as such, and a refusal said plainly. Runs in
 * the browsers {@link LookupPageBrowserTest} runs in ({@link BrowserChoice}), a nested class each.
 *
 * <p>Two servers of their own, so that no other test's token is in their tabs' session storage: one
 * with an API token and open reads, and one with no token, which refuses every erasure (403).
 */
class ErasePageBrowserTest {

  private static final String TOKEN = "erase-t0ken";
  private static final String ERASED = "[erased]";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static String withTokenDatabase;
  private static OrderServer withToken;
  private static OrderServer withoutToken;
  private static BrowserChoice choice;
  private static BrowserSession htmlUnit;
  private static BrowserSession chromium;

  @BeforeAll
  static void startServersAndBrowsers() throws IOException {
    choice = BrowserChoice.fromSystem();
    withTokenDatabase = TestStack.jdbcUrlWithOwnSchema("erase_page");
    withToken =
        TestStack.startServer(
            withTokenDatabase, TestStack.newTopic("erase-page"), "--api-token", TOKEN);
    withoutToken =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("erase_page_open"),
            TestStack.newTopic("erase-page-open"));
    if (choice.htmlUnit()) {
      htmlUnit = BrowserSession.startHtmlUnit();
    }
    if (choice.chromium().isPresent()) {
      chromium =
          BrowserSession.startChromium(
              choice.chromium().get(),
              LookupPageBrowserTest.moduleDir().resolve("target/screenshots"));
    }
  }

  @AfterAll
  static void stopServersAndBrowsers() {
    if (choice != null) {
      String ran =
          Stream.of(htmlUnit, chromium)
              .filter(Objects::nonNull)
              .map(BrowserSession::name)
              .collect(Collectors.joining(", "));
      TestNotes.write(
          "erase-page-browsers",
          "ErasePageBrowserTest: engines: "
              + ran
              + (choice.leftOut().isEmpty() ? "" : " (" + choice.leftOut() + ")"));
    }
    try (OrderServer a = withToken;
        OrderServer b = withoutToken;
        BrowserSession h = htmlUnit;
        BrowserSession c = chromium) {
      // closes each that was started, in reverse order
    }
  }

  /** The Erase tests in HtmlUnit, which every machine with a JDK has. */
  @Nested
  class InHtmlUnit extends EraseInABrowser {
    @Override
    BrowserSession session() {
      return htmlUnit;
    }
  }

  /** The Erase tests in Chromium, where it is installed. */
  @Nested
  class InChromium extends EraseInABrowser {
    @Override
    BrowserSession session() {
      return chromium;
    }
  }

  /** The tests, run in the browser {@link #session()} gives; skipped when the run leaves it out. */
  abstract class EraseInABrowser {

    BrowserSession browser;

    abstract BrowserSession session();

    @BeforeEach
    void useTheBrowser() {
      browser = session();
      assumeTrue(browser != null, choice.leftOut());
    }

    @Test
    void theEraseActionIsShownOnlyWhileTheTabHasAToken() throws IOException {
      String uid = storeOrder(withToken);
      openPage(withToken, "#" + uid);
      waitForOrder(uid);

      assertThat(eraseButtons())
          .singleElement()
          .satisfies(b -> assertThat(b.isDisplayed()).isFalse());
      assertThat(text("token-note")).contains("No token in this tab");

      WebElement tokenField = browser.driver().findElement(By.id("api-token"));
      tokenField.sendKeys(TOKEN);

      browser.waiting().until(visibilityOfElementLocated(By.id("erase-button")));
      assertThat(text("token-note")).contains("This tab has a token");
      assertThat(browser.driver().findElement(By.id("erase-dialog")).isDisplayed()).isFalse();

      for (int i = 0; i < TOKEN.length(); i++) {
        tokenField.sendKeys(Keys.BACK_SPACE);
      }

      browser.waiting().until(invisibilityOfElementLocated(By.id("erase-button")));
      assertThat(browser.script("return window.sessionStorage.length;")).isEqualTo(0L);
    }

    @Test
    void confirmingTheErasureShowsTheErasedDocumentAndTheServerServesItFromThenOn()
        throws IOException {
      String uid = storeOrder(withToken);
      JsonNode original = getOrder(withToken, uid);
      openPage(withToken, "#" + uid);
      waitForOrder(uid);
      browser.driver().findElement(By.id("api-token")).sendKeys(TOKEN);
      browser.waiting().until(visibilityOfElementLocated(By.id("erase-button"))).click();

      WebElement dialog =
          browser.waiting().until(visibilityOfElementLocated(By.id("erase-dialog")));
      assertThat(dialog.getDomAttribute("role")).isEqualTo("alertdialog");
      assertThat(dialog.getText())
          .contains("Erase the personal data of order " + uid + "?")
          .contains("This cannot be undone.");
      screenshot("erase-confirm");
      browser.driver().findElement(By.id("erase-cancel")).click();

      browser.waiting().until(invisibilityOfElementLocated(By.id("erase-dialog")));
      assertThat(getOrder(withToken, uid)).as("cancelled: nothing erased").isEqualTo(original);

      browser.driver().findElement(By.id("erase-button")).click();
      browser.waiting().until(visibilityOfElementLocated(By.id("erase-confirm"))).click();

      WebElement status = waitForStatus("lookup-status", "ok");
      assertThat(status.getText()).contains("Personal data of order " + uid + " erased.");
      WebElement view = waitForOrder(uid);
      assertErasedDocumentShown(view);
      assertThat(eraseButtons()).as("nothing left to erase").isEmpty();
      screenshot("erased");
      assertThat(browser.takeConsoleMessages())
          .as("console messages: no script error, nothing the Content-Security-Policy stopped")
          .noneMatch(message -> message.startsWith("SEVERE"))
          .noneMatch(message -> message.contains("Content Security Policy"));

      JsonNode served = getOrder(withToken, uid);
      assertThat(served.at("/delivery/name").asText()).isEqualTo(ERASED);
      assertThat(served.at("/delivery/phone").asText()).isEqualTo(ERASED);
      assertThat(served.at("/delivery/address").asText()).isEqualTo(ERASED);
      assertThat(served.at("/delivery/email").asText()).isEqualTo("erased@erased.invalid");
      assertThat(served.get("customer_id").asText()).matches("erased-[0-9a-f]{32}");
      assertThat(served.get("payment")).isEqualTo(original.get("payment"));
      assertThat(served.get("items")).isEqualTo(original.get("items"));
      assertThat(JSON.readTree(text("raw-json", "textContent"))).isEqualTo(served);

      openPage(withToken, "#" + uid);

      assertErasedDocumentShown(waitForOrder(uid));
    }

    @Test
    void aTokenTheServerRefusesIsSaidPlainlyAndNothingIsErased() throws IOException {
      String uid = storeOrder(withToken);
      JsonNode original = getOrder(withToken, uid);

      WebElement status = eraseWithToken(withToken, uid, "not-the-token");

      assertThat(status.getText())
          .contains("The server refused the API token (HTTP 401).")
          .contains("Nothing was erased.");
      assertThat(getOrder(withToken, uid)).isEqualTo(original);
      assertThat(field(browser.driver().findElement(By.id("order-view")), "delivery.name"))
          .isEqualTo(original.at("/delivery/name").asText());
    }

    @Test
    void aServerWithoutATokenRefusesTheErasureAndThePageSaysWhy() throws IOException {
      String uid = storeOrder(withoutToken);
      JsonNode original = getOrder(withoutToken, uid);

      WebElement status = eraseWithToken(withoutToken, uid, "any-token");

      assertThat(status.getText())
          .contains("This server does not allow erasure (HTTP 403).")
          .contains("need an API token: set API_TOKEN");
      assertThat(getOrder(withoutToken, uid)).isEqualTo(original);
      screenshot("erase-refused");
    }

    @Test
    void anOrderNoLongerStoredWhenErasedIsReportedAsNotFound() throws Exception {
      String uid = storeOrder(withToken);
      openPage(withToken, "#" + uid);
      waitForOrder(uid);
      browser.driver().findElement(By.id("api-token")).sendKeys(TOKEN);
      try (Connection c = DriverManager.getConnection(withTokenDatabase);
          PreparedStatement delete = c.prepareStatement("delete from orders where order_uid = ?")) {
        delete.setString(1, uid);
        assertThat(delete.executeUpdate()).isEqualTo(1);
      }

      browser.waiting().until(visibilityOfElementLocated(By.id("erase-button"))).click();
      browser.waiting().until(visibilityOfElementLocated(By.id("erase-confirm"))).click();

      assertThat(waitForStatus("erase-status", "notfound").getText())
          .contains("Order " + uid + " is not stored (HTTP 404).")
          .contains("Nothing was erased.");
    }

    // -------------------------------------------------------------- page helpers

    /** Looks the order up with {@code token} typed in, erases it, and returns the erase status. */
    private WebElement eraseWithToken(OrderServer server, String uid, String token) {
      openPage(server, "#" + uid);
      waitForOrder(uid);
      browser.driver().findElement(By.id("api-token")).sendKeys(token);
      browser.waiting().until(visibilityOfElementLocated(By.id("erase-button"))).click();
      browser.waiting().until(visibilityOfElementLocated(By.id("erase-confirm"))).click();
      return waitForStatus("erase-status", "error");
    }

    private void assertErasedDocumentShown(WebElement view) {
      assertThat(field(view, "delivery.name")).isEqualTo(ERASED);
      assertThat(field(view, "delivery.zip")).isEqualTo(ERASED);
      assertThat(field(view, "delivery.email")).isEqualTo("erased@erased.invalid");
      assertThat(field(view, "customer_id")).matches("erased-[0-9a-f]{32}");
      assertThat(view.findElement(By.id("erased-badge")).getText())
          .isEqualToIgnoringCase("personal data erased");
      assertThat(view.findElement(By.id("erased-notice")).getText())
          .startsWith("Personal data erased.");
    }

    private List<WebElement> eraseButtons() {
      return browser.driver().findElements(By.id("erase-button"));
    }

    /**
     * Loads the page afresh (not a same-document hash change), its tab's session storage emptied
     * first, so that it starts without a token.
     */
    private void openPage(OrderServer from, String fragment) {
      String page = from.baseUri().resolve("/").toString();
      browser.driver().get("about:blank");
      browser.driver().get(page);
      browser.script("window.sessionStorage.clear();");
      browser.driver().get("about:blank");
      browser.takeConsoleMessages(); // only this page's messages count
      browser.driver().get(page + fragment);
    }

    private WebElement waitForOrder(String uid) {
      By title = By.cssSelector("#order-view [data-field='order_uid']");
      browser.waiting().until(visibilityOfElementLocated(title));
      browser.waiting().until(textToBePresentInElementLocated(title, uid));
      return browser.driver().findElement(By.id("order-view"));
    }

    private WebElement waitForStatus(String id, String kind) {
      browser.waiting().until(attributeToBe(By.id(id), "data-kind", kind));
      return browser.driver().findElement(By.id(id));
    }

    private String field(WebElement scope, String name) {
      return scope.findElement(By.cssSelector("[data-field='" + name + "']")).getText();
    }

    private String text(String id) {
      return browser.driver().findElement(By.id(id)).getText();
    }

    private String text(String id, String property) {
      return browser.driver().findElement(By.id(id)).getDomProperty(property);
    }

    private void screenshot(String name) throws IOException {
      browser.screenshot(name).ifPresent(file -> assertThat(file).isNotEmptyFile());
    }
  }

  // ---------------------------------------------------------------- server helpers

  /** Stores a copy of the sample order under a new uid, with the token where there is one. */
  private static String storeOrder(OrderServer server) throws IOException {
    String uid = "erase-page-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    ObjectNode order = (ObjectNode) JSON.readTree(TestStack.sampleBytes());
    order.put("order_uid", uid);
    ((ObjectNode) order.get("payment")).put("transaction", uid);
    HttpRequest.Builder post =
        HttpRequest.newBuilder(server.baseUri().resolve("/orders"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(order)));
    if (server == withToken) {
      post.header("Authorization", "Bearer " + TOKEN);
    }
    assertThat(send(post.build()).statusCode()).isEqualTo(201);
    return uid;
  }

  private static JsonNode getOrder(OrderServer server, String uid) throws IOException {
    HttpResponse<String> response =
        send(HttpRequest.newBuilder(server.baseUri().resolve("/orders/" + uid)).GET().build());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> send(HttpRequest request) throws IOException {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
