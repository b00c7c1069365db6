package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/**
 * The lookup page ({@code GET /}) in headless browsers against a real server (embedded PostgreSQL
 * and Kafka): what a person sees when looking orders up, uploading one and following the
 * recent-orders links, and that order data never runs as markup.
 *
 * <p>Every page test runs once per browser, in a nested class per browser:
 *
 * <ul>
 *   <li>{@link InHtmlUnit}: HtmlUnit, a browser written in Java, so that CI and a machine with only
 *       a JDK run the page's script with no install step. The page's script keeps to what its
 *       JavaScript engine runs (see the head of {@code app.js}); it does not enforce the
 *       Content-Security-Policy, so that check means something in Chromium only.
 *   <li>{@link InChromium}: Debian's headless Chromium through chromedriver, where {@code chromium}
 *       and {@code chromedriver} are on the {@code PATH} ({@code apt-get install chromium
 *       chromium-driver}); its tests are skipped, with the reason, where they are not. Screenshots
 *       of each state are kept in {@code target/screenshots/} (Chromium only: HtmlUnit draws
 *       nothing).
 * </ul>
 *
 * <p>The system property {@code page.browsers} chooses: {@code all} (the default) runs both where
 * Chromium is installed and HtmlUnit alone where it is not; {@code htmlunit} skips Chromium even
 * where installed; {@code chromium} skips HtmlUnit and fails when Chromium is missing. For example
 * {@code ./mvnw -pl order-server verify -Dtest=LookupPageBrowserTest -Dpage.browsers=htmlunit}.
 *
 * <p>Each run writes one line saying which browsers ran, for example {@code LookupPageBrowserTest:
 * engines: HtmlUnit 5.7.0 as Chrome 156 (fetch polyfilled), Chromium 156.0.8078.114}, to {@code
 * target/test-notes/page-browsers.txt}; the build echoes it on the console after the tests (this
 * build sends test output to files), next to Surefire's summary line per browser ({@code
 * ...LookupPageBrowserTest$InChromium}, its tests counted as skipped where Chromium did not run).
 */
class LookupPageBrowserTest {

  private static final String SCRIPT_PAYLOAD = "<script>window.__xss=1</script>";
  private static final String IMG_PAYLOAD = "<img src=x onerror=\"window.__xss=2\">";
  private static final String SVG_PAYLOAD = "<svg onload=\"alert(document.domain)\"></svg>";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static final String TOKEN = "page-t0ken";

  private static OrderServer server;
  private static String topic;
  private static OrderServer protectedServer;
  private static ObjectNode sample;
  private static BrowserChoice choice;
  private static BrowserSession htmlUnit;
  private static BrowserSession chromium;

  @BeforeAll
  static void startServerAndBrowsers() throws IOException {
    choice = BrowserChoice.fromSystem();
    topic = TestStack.newTopic("browser");
    server = TestStack.startServer(TestStack.jdbcUrlWithOwnSchema("browser"), topic);
    protectedServer =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("browser_protected"),
            TestStack.newTopic("browser-protected"),
            "--api-token",
            TOKEN,
            "--protect-reads",
            "true");
    sample = (ObjectNode) JSON.readTree(Files.readAllBytes(sampleOrderFile()));
    int status = postOrder(sample).statusCode();
    assertThat(status).as("storing the sample order").isIn(200, 201);

    if (choice.htmlUnit()) {
      htmlUnit = BrowserSession.startHtmlUnit();
    }
    if (choice.chromium().isPresent()) {
      chromium =
          BrowserSession.startChromium(
              choice.chromium().get(), moduleDir().resolve("target/screenshots"));
    }
  }

  @AfterAll
  static void reportAndStopServerAndBrowsers() {
    // Printed last, as Surefire keeps only what follows the nested classes in the output file.
    if (choice != null) {
      String line = "LookupPageBrowserTest: engines: " + engines();
      System.out.println(line);
      TestNotes.write("page-browsers", line);
    }
    // Closes each that was started, in reverse order, even when closing another one fails.
    try (OrderServer s = server;
        OrderServer p = protectedServer;
        BrowserSession h = htmlUnit;
        BrowserSession c = chromium) {
      // nothing else to do
    }
  }

  /** The page tests in HtmlUnit, which every machine with a JDK has. */
  @Nested
  class InHtmlUnit extends PageInABrowser {
    @Override
    BrowserSession session() {
      return htmlUnit;
    }
  }

  /** The page tests in Chromium, where it is installed. */
  @Nested
  class InChromium extends PageInABrowser {
    @Override
    BrowserSession session() {
      return chromium;
    }
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

  /**
   * The page tests, run in the browser {@link #session()} gives; skipped, with the reason, when
   * this run leaves that browser out.
   */
  abstract class PageInABrowser {

    BrowserSession browser;

    /** The browser this class runs in, or null if the run leaves it out. */
    abstract BrowserSession session();

    @BeforeEach
    void useTheBrowser() {
      browser = session();
      assumeTrue(browser != null, choice.leftOut());
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
      screenshot("order");
    }

    @Test
    void anUnknownOrderIsReportedAsNotFound() throws IOException {
      String uid = "browser-unknown-" + shortId();

      openPage("#" + uid);

      WebElement status = waitForStatus("lookup-status", "notfound");
      assertThat(status.getText()).contains("Order " + uid + " not found");
      assertThat(browser.driver().findElement(By.id("order-view")).isDisplayed()).isFalse();
      screenshot("not-found");
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
      screenshot("malformed");
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
      screenshot("xss");
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
      screenshot("recent");

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
          .until(
              visibilityOfElementLocated(By.cssSelector("#recent-list a[data-uid='" + uid + "']")));
      screenshot("upload-created");

      upload(file);

      browser.waiting().until(textToBePresentInElementLocated(By.id("upload-status"), "Already"));
      assertThat(browser.driver().findElement(By.id("upload-status")).getText())
          .contains("Already stored: order " + uid);

      browser
          .driver()
          .findElement(By.cssSelector("#upload-status a[data-uid='" + uid + "']"))
          .click();
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
          .as("the upload's status: %s", status.getText())
          .extracting(WebElement::getText)
          .contains("delivery.email: must be an e-mail address", "items[0].price: must be >= 0");
      screenshot("upload-invalid");
    }

    @Test
    void searchingByTrackNumberListsTheMatchingOrderWhoseLinkLoadsIt() throws IOException {
      String track = "BRTRACK" + shortId().toUpperCase(Locale.ROOT);
      ObjectNode order = orderWithUid("browser-track-" + shortId());
      order.put("track_number", track);
      assertThat(postOrder(order).statusCode()).isEqualTo(201);
      String uid = order.get("order_uid").asText();
      openPage("");

      browser.driver().findElement(By.id("search-track")).sendKeys(track);
      browser.driver().findElement(By.id("lookup-button")).click();

      List<WebElement> rows = waitForResults(1);
      WebElement row = rows.get(0);
      assertThat(row.getDomAttribute("data-uid")).isEqualTo(uid);
      assertThat(field(row, "order_uid")).isEqualTo(uid);
      assertThat(field(row, "track_number")).isEqualTo(track);
      assertThat(field(row, "customer_id")).isEqualTo("test");
      assertThat(field(row, "date_created")).isEqualTo("26 Nov 2021");
      assertThat(field(row, "amount")).isEqualTo("1817 USD");
      assertThat(field(row, "item_count")).isEqualTo("1");
      assertThat(browser.driver().findElement(By.id("search-summary")).getText())
          .isEqualTo("1 order");
      assertThat(browser.driver().findElement(By.id("search-more")).isDisplayed()).isFalse();
      screenshot("search");

      row.findElement(By.cssSelector("a[data-uid='" + uid + "']")).click();

      waitForOrder(uid);
    }

    @Test
    void moreShowsTheNextPageOfASearchUntilNoneIsLeft() throws IOException {
      String customer = "browser-customer-" + shortId();
      List<String> uids = new ArrayList<>();
      for (int i = 0; i < 23; i++) {
        ObjectNode order = orderWithUid("browser-page-" + shortId());
        order.put("customer_id", customer);
        order.put("date_created", "2024-03-0" + (1 + i % 9) + "T10:" + (10 + i) + ":00+03:00");
        assertThat(postOrder(order).statusCode()).isEqualTo(201);
        uids.add(order.get("order_uid").asText());
      }
      openPage("");

      browser.driver().findElement(By.id("search-customer")).sendKeys(customer);
      browser.driver().findElement(By.id("lookup-button")).click();

      assertThat(waitForResults(20)).hasSize(20);
      WebElement more = browser.driver().findElement(By.id("search-more"));
      assertThat(more.isDisplayed()).isTrue();
      assertThat(browser.driver().findElement(By.id("search-summary")).getText())
          .isEqualTo("20 orders, more match");

      more.click();

      List<WebElement> rows = waitForResults(23);
      assertThat(rows)
          .extracting(row -> row.getDomAttribute("data-uid"))
          .containsExactlyInAnyOrderElementsOf(uids);
      assertThat(rows)
          .extracting(row -> row.getDomAttribute("data-uid"))
          .as("newest first")
          .isEqualTo(newestFirst(uids));
      assertThat(more.isDisplayed()).isFalse();
      assertThat(browser.driver().findElement(By.id("search-summary")).getText())
          .isEqualTo("23 orders");
    }

    @Test
    void aDateRangeSearchFindsTheOrdersOfThatMomentWhateverTheOffsetAndSaysWhenNoneMatch()
        throws IOException {
      String customer = "browser-range-" + shortId();
      ObjectNode inside = orderWithUid("browser-in-" + shortId());
      inside.put("customer_id", customer);
      inside.put("date_created", "2023-05-10T12:30:00+03:00");
      ObjectNode outside = orderWithUid("browser-out-" + shortId());
      outside.put("customer_id", customer);
      outside.put("date_created", "2023-05-10T10:00:00Z");
      assertThat(postOrder(inside).statusCode()).isEqualTo(201);
      assertThat(postOrder(outside).statusCode()).isEqualTo(201);
      openPage("");

      browser.driver().findElement(By.id("search-customer")).sendKeys(customer);
      browser.driver().findElement(By.id("search-from")).sendKeys("2023-05-10T09:00:00Z");
      browser.driver().findElement(By.id("search-to")).sendKeys("2023-05-10T09:45Z");
      browser.driver().findElement(By.id("lookup-button")).click();

      List<WebElement> rows = waitForResults(1);
      assertThat(rows.get(0).getDomAttribute("data-uid"))
          .isEqualTo(inside.get("order_uid").asText());

      WebElement to = browser.driver().findElement(By.id("search-to"));
      to.clear();
      to.sendKeys("2023-05-10T09:30Z");
      browser.driver().findElement(By.id("lookup-button")).click();

      assertThat(waitForStatus("search-status", "info").getText()).contains("No orders match");
      assertThat(browser.driver().findElements(By.cssSelector("#search-table tbody tr"))).isEmpty();

      to.clear();
      to.sendKeys("last tuesday");
      browser.driver().findElement(By.id("lookup-button")).click();

      assertThat(waitForStatus("search-status", "error").getText())
          .contains("to: enter a day (2021-11-26) or a date-time");
    }

    @Test
    void anOrderProducedToKafkaAppearsInTheRecentListWithoutAClick() throws IOException {
      openPage("");
      awaitLive();
      ObjectNode order = orderWithUid("browser-live-" + shortId());
      order.put("track_number", "LIVE" + shortId());
      String uid = order.get("order_uid").asText();

      TestStack.produce(topic, uid, JSON.writeValueAsBytes(order));

      WebElement entry =
          browser
              .waiting()
              .until(
                  visibilityOfElementLocated(
                      By.cssSelector("#recent-list li:first-child a[data-uid='" + uid + "']")));
      assertThat(entry.getText()).contains(uid).contains("1817 USD").contains("1 item");
      assertThat(field(entry, "track_number")).isEqualTo(order.get("track_number").asText());
      assertThat(entry.findElement(By.xpath("..")).getDomAttribute("class"))
          .contains("recent__item--new");
      screenshot("live");
    }

    @Test
    void markupInEverySummaryFieldIsShownAsTextInTheLiveListAndInSearchResults()
        throws IOException {
      String track = IMG_PAYLOAD + shortId();
      ObjectNode order = orderWithUid("browser-summary-xss-" + shortId());
      order.put("track_number", track);
      order.put("customer_id", SCRIPT_PAYLOAD);
      String uid = order.get("order_uid").asText();
      openPage("");
      awaitLive();

      assertThat(postOrder(order).statusCode()).isEqualTo(201);

      WebElement entry =
          browser
              .waiting()
              .until(
                  visibilityOfElementLocated(
                      By.cssSelector("#recent-list a[data-uid='" + uid + "']")));
      assertThat(textContent(entry, "track_number")).isEqualTo(track);

      browser.driver().findElement(By.id("search-track")).sendKeys(track);
      browser.driver().findElement(By.id("lookup-button")).click();

      WebElement row = waitForResults(1).get(0);
      assertThat(textContent(row, "track_number")).isEqualTo(track);
      assertThat(textContent(row, "customer_id")).isEqualTo(SCRIPT_PAYLOAD);
      assertThat(browser.script("return typeof window.__xss;")).isEqualTo("undefined");
      assertThat(
              browser
                  .driver()
                  .findElements(
                      By.cssSelector(
                          "#recent-list img, #recent-list script, #search-table img,"
                              + " #search-table script")))
          .isEmpty();
      assertThat(browser.takeConsoleMessages())
          .as("console messages: nothing tried to run and was stopped by the policy")
          .noneMatch(message -> message.contains("Content Security Policy"));
      screenshot("search-xss");
    }

    @Test
    void withProtectedReadsThePageAsksForTheTokenOnceAndThenShowsOrdersLive() throws IOException {
      ObjectNode stored = orderWithUid("browser-protected-" + shortId());
      assertThat(postOrder(protectedServer, stored).statusCode()).isEqualTo(201);
      String uid = stored.get("order_uid").asText();
      openPage(protectedServer, "");

      WebElement prompt =
          browser.waiting().until(visibilityOfElementLocated(By.id("token-prompt")));
      assertThat(prompt.getText()).contains("This server protects reads of orders");
      browser.waiting().until(attributeToBe(By.id("live-state"), "data-state", "locked"));

      browser.driver().findElement(By.id("read-token")).sendKeys(TOKEN);
      browser.driver().findElement(By.id("token-button")).click();

      browser
          .waiting()
          .until(
              visibilityOfElementLocated(By.cssSelector("#recent-list a[data-uid='" + uid + "']")));
      assertThat(browser.driver().findElement(By.id("token-prompt")).isDisplayed()).isFalse();
      awaitLive();
      ObjectNode next = orderWithUid("browser-protected-live-" + shortId());
      assertThat(postOrder(protectedServer, next).statusCode()).isEqualTo(201);
      browser
          .waiting()
          .until(
              visibilityOfElementLocated(
                  By.cssSelector(
                      "#recent-list a[data-uid='" + next.get("order_uid").asText() + "']")));

      openPage(protectedServer, "#" + uid);

      waitForOrder(uid);
      assertThat(browser.driver().findElement(By.id("token-prompt")).isDisplayed())
          .as("asked once per tab")
          .isFalse();
    }

    // -------------------------------------------------------------- page helpers

    private void awaitLive() {
      browser.waiting().until(attributeToBe(By.id("live-state"), "data-state", "live"));
    }

    /** Waits until the search results table has {@code count} rows, and returns them. */
    private List<WebElement> waitForResults(int count) {
      By rows = By.cssSelector("#search-table tbody tr");
      browser.waiting().until(driver -> driver.findElements(rows).size() == count);
      browser.waiting().until(attributeToBe(By.id("search-more"), "aria-busy", "false"));
      return browser.driver().findElements(rows);
    }

    /** Keeps a screenshot of the page as {@code <name>.png}, where the browser draws one. */
    private void screenshot(String name) throws IOException {
      browser.screenshot(name).ifPresent(file -> assertThat(file).isNotEmptyFile());
    }

    /** Loads the page afresh (not a same-document hash change) with the given fragment. */
    private void openPage(String fragment) {
      openPage(server, fragment);
    }

    private void openPage(OrderServer from, String fragment) {
      browser.driver().get("about:blank");
      browser.takeConsoleMessages(); // only this page's messages count
      browser.driver().get(from.baseUri().resolve("/") + fragment);
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

    private void upload(Path file) {
      browser.driver().findElement(By.id("order-file")).sendKeys(file.toAbsolutePath().toString());
      browser.driver().findElement(By.id("upload-button")).click();
    }

    /** The rendered text of the element marked {@code data-field=name}. */
    private String field(WebElement scope, String name) {
      return scope.findElement(By.cssSelector("[data-field='" + name + "']")).getText();
    }

    /** The exact text content (no whitespace folding) of the element marked {@code data-field}. */
    private String textContent(WebElement scope, String name) {
      return scope
          .findElement(By.cssSelector("[data-field='" + name + "']"))
          .getDomProperty("textContent");
    }

    private List<String> cellTexts(WebElement row) {
      return row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    }
  }

  private static String engines() {
    String ran =
        Stream.of(htmlUnit, chromium)
            .filter(session -> session != null)
            .map(BrowserSession::name)
            .collect(Collectors.joining(", "));
    return choice.leftOut().isEmpty() ? ran : ran + " (" + choice.leftOut() + ")";
  }

  // ---------------------------------------------------------------- order helpers

  private static ObjectNode orderWithUid(String uid) {
    ObjectNode order = sample.deepCopy();
    order.put("order_uid", uid);
    ((ObjectNode) order.get("payment")).put("transaction", uid);
    return order;
  }

  /** The uids of the orders made by the date test above, newest first by their date_created. */
  private static List<String> newestFirst(List<String> uids) {
    // Order i was created on day 1 + i % 9 at 10:(10 + i): later days first, then later minutes.
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < uids.size(); i++) {
      indexes.add(i);
    }
    indexes.sort(Comparator.comparing((Integer i) -> i % 9).thenComparing(i -> i).reversed());
    return indexes.stream().map(uids::get).toList();
  }

  private static HttpResponse<String> postOrder(ObjectNode order) throws IOException {
    return postOrder(server, order);
  }

  /** Posts to {@code to}, with the token where it protects reads (and so also writes). */
  private static HttpResponse<String> postOrder(OrderServer to, ObjectNode order)
      throws IOException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(to.baseUri().resolve("/orders"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(order)))
            .timeout(Duration.ofSeconds(30));
    if (to == protectedServer) {
      builder.header("Authorization", "Bearer " + TOKEN);
    }
    HttpRequest request = builder.build();
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
  static Path moduleDir() {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    return Files.isDirectory(dir.resolve("order-server")) ? dir.resolve("order-server") : dir;
  }

  private static Path sampleOrderFile() {
    Path file = moduleDir().resolve("../samples/order.json").normalize();
    assertThat(file).as("the repository's sample order").isRegularFile();
    return file;
  }
}
