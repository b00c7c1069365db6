package dev.orderservice.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.htmlunit.BrowserVersion;
import org.htmlunit.ScriptException;
import org.htmlunit.SilentCssErrorHandler;
import org.htmlunit.Version;
import org.htmlunit.WebClient;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.javascript.JavaScriptErrorListener;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.htmlunit.HtmlUnitDriver;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless browser for the lookup page's test, driven through Selenium: HtmlUnit, a browser
 * written in Java that runs wherever the build runs, or Debian's Chromium through its chromedriver.
 *
 * <p>HtmlUnit emulates the newest browser it knows ({@link BrowserVersion#BEST_SUPPORTED}), with
 * JavaScript, CSS and HtmlUnit's {@code fetch} polyfill; it runs the page's scripts as they are
 * served (the page keeps to what HtmlUnit's engine runs). A script error is a console message at
 * level SEVERE, as Chromium reports it, and fails a page load outright; HtmlUnit's own remarks on
 * CSS and content types are dropped. HtmlUnit draws nothing, so it takes no screenshots.
 *
 * <p>Chromium runs from the binaries found on the {@code PATH} only: the driver's path is given, so
 * that Selenium Manager never tries to download a browser or a driver (the build has no internet).
 * Each Chromium session has its own fresh profile directory, deleted by {@link #close()}.
 *
 * <p>Not thread-safe: one test thread drives one session.
 */
abstract sealed class BrowserSession implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(15);

  /** Starts HtmlUnit. */
  static BrowserSession startHtmlUnit() {
    return HtmlUnitSession.start();
  }

  /**
   * Starts chromedriver and a headless Chromium.
   *
   * @param screenshots where {@link #screenshot(String)} writes its PNG files (created if needed)
   */
  static BrowserSession startChromium(BrowserChoice.Chromium chromium, Path screenshots)
      throws IOException {
    return ChromiumSession.start(chromium, screenshots);
  }

  /** The browser and its version, as the build output names it. */
  abstract String name();

  abstract WebDriver driver();

  /** A wait with the session's deadline, for explicit waits on the page. */
  WebDriverWait waiting() {
    return new WebDriverWait(driver(), WAIT);
  }

  /** Runs a script in the page and returns its result. */
  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver()).executeScript(script, args);
  }

  /**
   * The console messages the page logged since the last call (the browser drops what it returns),
   * one string per message.
   */
  List<String> takeConsoleMessages() {
    return driver().manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(entry -> entry.getLevel() + " " + entry.getMessage())
        .collect(Collectors.toCollection(ArrayList::new));
  }

  /**
   * Saves the whole page, not only the viewport, as {@code <name>.png} in the screenshot folder,
   * where the browser draws the page; empty in HtmlUnit, which does not.
   */
  abstract Optional<Path> screenshot(String name) throws IOException;

  /** Quits the browser and frees what it holds; safe to call twice. */
  @Override
  public abstract void close();

  @Override
  public String toString() {
    return name();
  }

  // ---------------------------------------------------------------- HtmlUnit

  private static final class HtmlUnitSession extends BrowserSession {

    private final HtmlUnitDriver driver;
    private final String name;
    private final Queue<String> scriptErrors;

    private HtmlUnitSession(HtmlUnitDriver driver, String name, Queue<String> scriptErrors) {
      this.driver = driver;
      this.name = name;
      this.scriptErrors = scriptErrors;
    }

    static HtmlUnitSession start() {
      BrowserVersion version = BrowserVersion.BEST_SUPPORTED;
      HtmlUnitDriver driver = new HtmlUnitDriver(version, true);
      // Scripts run on HtmlUnit's own threads, which report their errors here.
      Queue<String> scriptErrors = new ConcurrentLinkedQueue<>();
      WebClient client = driver.getWebClient();
      client.getOptions().setFetchPolyfillEnabled(true);
      client.getOptions().setThrowExceptionOnScriptError(true);
      client.setJavaScriptErrorListener(recordingInto(scriptErrors));
      client.setCssErrorHandler(new SilentCssErrorHandler());
      client.setIncorrectnessListener((message, origin) -> {});
      return new HtmlUnitSession(driver, describe(version), scriptErrors);
    }

    @Override
    String name() {
      return name;
    }

    @Override
    WebDriver driver() {
      return driver;
    }

    @Override
    List<String> takeConsoleMessages() {
      List<String> messages = super.takeConsoleMessages();
      for (String error = scriptErrors.poll(); error != null; error = scriptErrors.poll()) {
        messages.add(error);
      }
      return messages;
    }

    @Override
    Optional<Path> screenshot(String name) {
      return Optional.empty();
    }

    @Override
    public void close() {
      driver.quit();
    }

    private static String describe(BrowserVersion version) {
      return "HtmlUnit "
          + Version.getProductVersion()
          + " as "
          + version.getNickname()
          + " "
          + version.getBrowserVersionNumeric()
          + " (fetch polyfilled)";
    }

    private static JavaScriptErrorListener recordingInto(Queue<String> errors) {
      return new JavaScriptErrorListener() {
        @Override
        public void scriptException(HtmlPage page, ScriptException e) {
          errors.add("SEVERE " + e.getMessage());
        }

        @Override
        public void timeoutError(HtmlPage page, long allowed, long executed) {
          errors.add(
              "SEVERE a script ran " + executed + " ms, over the " + allowed + " ms allowed");
        }

        @Override
        public void malformedScriptURL(HtmlPage page, String url, MalformedURLException e) {
          errors.add("SEVERE malformed script URL " + url);
        }

        @Override
        public void loadScriptError(HtmlPage page, URL url, Exception e) {
          errors.add("SEVERE cannot load the script " + url + ": " + e.getMessage());
        }

        @Override
        public void warn(
            String message, String sourceName, int line, String lineSource, int lineOffset) {
          // The engine's remarks on the code, not anything the page logged.
        }
      };
    }
  }

  // ---------------------------------------------------------------- Chromium

  private static final class ChromiumSession extends BrowserSession {

    private static final String WINDOW_SIZE = "1280,1000";

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;
    private final Path screenshots;

    private ChromiumSession(
        ChromeDriverService service, ChromeDriver driver, Path profile, Path screenshots) {
      this.service = service;
      this.driver = driver;
      this.profile = profile;
      this.screenshots = screenshots;
    }

    static ChromiumSession start(BrowserChoice.Chromium chromium, Path screenshots)
        throws IOException {
      System.setProperty(
          ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, chromium.driver().toString());

      Path profile = Files.createTempDirectory("browser-test-profile");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium.browser().toString());
      options.addArguments(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-background-networking",
          "--disable-quic",
          "--disable-component-update",
          "--disable-sync",
          "--disable-extensions",
          "--no-first-run",
          "--no-default-browser-check",
          "--no-proxy-server",
          "--window-size=" + WINDOW_SIZE,
          "--user-data-dir=" + profile);
      // Keeps the page's console messages so the test can see Content-Security-Policy reports.
      options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(chromium.driver().toFile())
              .usingAnyFreePort()
              .build();
      try {
        ChromeDriver driver = new ChromeDriver(service, options);
        Files.createDirectories(screenshots);
        return new ChromiumSession(service, driver, profile, screenshots);
      } catch (RuntimeException | IOException e) {
        service.stop();
        deleteRecursively(profile);
        throw e;
      }
    }

    @Override
    String name() {
      return "Chromium " + driver.getCapabilities().getBrowserVersion();
    }

    @Override
    WebDriver driver() {
      return driver;
    }

    /**
     * Uses the DevTools screenshot command through chromedriver, which can capture beyond the
     * viewport; it needs no DevTools client matching the browser's version.
     */
    @Override
    Optional<Path> screenshot(String name) throws IOException {
      Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
      Map<?, ?> content = (Map<?, ?>) metrics.get("cssContentSize");
      Map<String, Object> clip =
          Map.of(
              "x", 0,
              "y", 0,
              "width", ((Number) content.get("width")).doubleValue(),
              "height", ((Number) content.get("height")).doubleValue(),
              "scale", 1);
      Map<String, Object> shot =
          driver.executeCdpCommand(
              "Page.captureScreenshot",
              Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
      Path file = screenshots.resolve(name + ".png");
      Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
      return Optional.of(file);
    }

    @Override
    public void close() {
      try {
        driver.quit();
      } finally {
        service.stop();
        deleteRecursively(profile);
      }
    }

    private static void deleteRecursively(Path dir) {
      if (!Files.exists(dir)) {
        return;
      }
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the browser profile " + dir, e);
      }
    }
  }
}
