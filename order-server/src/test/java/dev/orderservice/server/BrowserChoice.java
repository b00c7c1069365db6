package dev.orderservice.server;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The browsers the lookup page's test runs in this time: the system property {@value #PROPERTY}
 * ({@code all}, the default, {@code htmlunit} or {@code chromium}) limited to what is installed.
 *
 * <p>HtmlUnit is a Java library, so it is always there. Chromium is there when both {@value
 * #CHROMIUM} and {@value #CHROMEDRIVER} are on the {@code PATH} (Debian's {@code chromium} and
 * {@code chromium-driver} packages); with {@code all} a missing Chromium leaves it out, with {@code
 * chromium} it is an error, since that run would test nothing.
 *
 * @param htmlUnit whether to run in HtmlUnit
 * @param chromium Chromium's binaries, if it is to run
 * @param leftOut which browser is left out and why, for the build output and the skipped tests;
 *     empty if none
 */
record BrowserChoice(boolean htmlUnit, Optional<Chromium> chromium, String leftOut) {

  static final String PROPERTY = "page.browsers";
  static final String CHROMIUM = "chromium";
  static final String CHROMEDRIVER = "chromedriver";

  /** Chromium and the chromedriver that drives it. */
  record Chromium(Path browser, Path driver) {}

  /** The choice from the system property and the {@code PATH} of this process. */
  static BrowserChoice fromSystem() {
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
    return of(
        System.getProperty(PROPERTY, "all"), onPath(CHROMIUM, path), onPath(CHROMEDRIVER, path));
  }

  /**
   * The choice for a setting of {@value #PROPERTY}, given where Chromium's binaries are.
   *
   * @throws IllegalArgumentException if the setting is none of all, htmlunit, chromium
   * @throws AssertionError if the setting asks for Chromium only and it is not installed
   */
  static BrowserChoice of(String setting, Optional<Path> browser, Optional<Path> driver) {
    Optional<Chromium> chromium = browser.flatMap(b -> driver.map(d -> new Chromium(b, d)));
    String missing = chromium.isPresent() ? "" : missing(browser, driver);
    return switch (setting.strip().toLowerCase(Locale.ROOT)) {
      case "all" ->
          new BrowserChoice(
              true,
              chromium,
              missing.isEmpty()
                  ? ""
                  : "Chromium not found: "
                      + missing
                      + "; install chromium and chromium-driver to run the page tests in it too");
      case "htmlunit" ->
          new BrowserChoice(
              true, Optional.empty(), "Chromium not chosen: -D" + PROPERTY + "=htmlunit");
      case "chromium" -> {
        if (chromium.isEmpty()) {
          throw new AssertionError(
              "-D"
                  + PROPERTY
                  + "=chromium, but "
                  + missing
                  + ": install them with `apt-get install chromium chromium-driver`");
        }
        yield new BrowserChoice(
            false, chromium, "HtmlUnit not chosen: -D" + PROPERTY + "=chromium");
      }
      default ->
          throw new IllegalArgumentException(
              PROPERTY + " must be all, htmlunit or chromium, not '" + setting + "'");
    };
  }

  /** The first executable called {@code name} in the directories of {@code path}. */
  static Optional<Path> onPath(String name, String path) {
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, name))
        .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
        .findFirst();
  }

  private static String missing(Optional<Path> browser, Optional<Path> driver) {
    if (browser.isEmpty() && driver.isEmpty()) {
      return CHROMIUM + " and " + CHROMEDRIVER + " are not on the PATH";
    }
    return (browser.isEmpty() ? CHROMIUM : CHROMEDRIVER) + " is not on the PATH";
  }
}
