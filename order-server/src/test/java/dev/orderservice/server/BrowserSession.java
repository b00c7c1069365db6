package dev.orderservice.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven through Debian's chromedriver, for the lookup page's browser test.
 *
 * <p>Uses only the binaries the system package installs ({@value #CHROMIUM} and {@value
 * #CHROMEDRIVER}): the driver path is fixed so that Selenium Manager never tries to download a
 * browser or a driver (the build has no internet). A missing binary is a failure with the install
 * command in its message, not a skip: the page would otherwise go untested without anyone noticing.
 *
 * <p>Each session has its own fresh profile directory, deleted by {@link #close()}. Not
 * thread-safe: one test thread drives one session.
 */
final class BrowserSession implements AutoCloseable {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private static final String WINDOW_SIZE = "1280,1000";
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;
  private final Path screenshots;

  private BrowserSession(
      ChromeDriverService service, ChromeDriver driver, Path profile, Path screenshots) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
    this.screenshots = screenshots;
  }

  /**
   * Starts chromedriver and a headless Chromium.
   *
   * @param screenshots where {@link #screenshot(String)} writes its PNG files (created if needed)
   * @throws AssertionError if Chromium or chromedriver is not installed
   */
  static BrowserSession start(Path screenshots) throws IOException {
    requireExecutable(CHROMIUM, "Chromium");
    requireExecutable(CHROMEDRIVER, "chromedriver");
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER);

    Path profile = Files.createTempDirectory("browser-test-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
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
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      Files.createDirectories(screenshots);
      return new BrowserSession(service, driver, profile, screenshots);
    } catch (RuntimeException | IOException e) {
      service.stop();
      deleteRecursively(profile);
      throw e;
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  /** A wait with the session's deadline, for explicit waits on the page. */
  WebDriverWait waiting() {
    return new WebDriverWait(driver, WAIT);
  }

  /** Runs a script in the page and returns its result. */
  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /**
   * The console messages the page logged since the last call (the browser drops what it
   * returns), one string per message.
   */
  List<String> takeConsoleMessages() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(entry -> entry.getLevel() + " " + entry.getMessage())
        .toList();
  }

  /**
   * Saves the whole page, not only the viewport, as {@code <name>.png} in the screenshot folder.
   * Uses the DevTools screenshot command through chromedriver, which can capture beyond the
   * viewport; it needs no DevTools client matching the browser's version.
   */
  Path screenshot(String name) throws IOException {
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
    return file;
  }

  /** Quits the browser, stops chromedriver and deletes the profile; safe to call twice. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      deleteRecursively(profile);
    }
  }

  private static void requireExecutable(String path, String what) {
    if (!Files.isExecutable(Path.of(path))) {
      throw new AssertionError(
          what
              + " is missing at "
              + path
              + ": the lookup page's browser test needs Debian's Chromium and its driver;"
              + " install them with `apt-get install chromium chromium-driver`");
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
