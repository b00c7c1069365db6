package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrowserChoiceTest {

  private static final Optional<Path> BROWSER = Optional.of(Path.of("/usr/bin/chromium"));
  private static final Optional<Path> DRIVER = Optional.of(Path.of("/usr/bin/chromedriver"));

  @Test
  void allRunsBothWhereChromiumIsInstalled() {
    BrowserChoice choice = BrowserChoice.of("all", BROWSER, DRIVER);

    assertThat(choice.htmlUnit()).isTrue();
    assertThat(choice.chromium()).contains(new BrowserChoice.Chromium(BROWSER.get(), DRIVER.get()));
    assertThat(choice.leftOut()).isEmpty();
  }

  @Test
  void allRunsHtmlUnitAloneAndSaysHowToGetChromiumWhereItsDriverIsMissing() {
    BrowserChoice choice = BrowserChoice.of("all", BROWSER, Optional.empty());

    assertThat(choice.htmlUnit()).isTrue();
    assertThat(choice.chromium()).isEmpty();
    assertThat(choice.leftOut())
        .isEqualTo(
            "Chromium not found: chromedriver is not on the PATH; install chromium and"
                + " chromium-driver to run the page tests in it too");
  }

  @Test
  void htmlunitLeavesAnInstalledChromiumOut() {
    BrowserChoice choice = BrowserChoice.of(" HtmlUnit ", BROWSER, DRIVER);

    assertThat(choice.htmlUnit()).isTrue();
    assertThat(choice.chromium()).isEmpty();
    assertThat(choice.leftOut()).isEqualTo("Chromium not chosen: -Dpage.browsers=htmlunit");
  }

  @Test
  void chromiumLeavesHtmlUnitOutAndFailsWhereChromiumIsMissing() {
    BrowserChoice choice = BrowserChoice.of("chromium", BROWSER, DRIVER);
    assertThat(choice.htmlUnit()).isFalse();
    assertThat(choice.chromium()).isPresent();
    assertThat(choice.leftOut()).isEqualTo("HtmlUnit not chosen: -Dpage.browsers=chromium");

    assertThatThrownBy(() -> BrowserChoice.of("chromium", Optional.empty(), Optional.empty()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("chromium and chromedriver are not on the PATH")
        .hasMessageContaining("apt-get install chromium chromium-driver");
  }

  @Test
  void anUnknownSettingIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> BrowserChoice.of("firefox", BROWSER, DRIVER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("page.browsers must be all, htmlunit or chromium, not 'firefox'");
  }

  @Test
  void onlyAnExecutableFileOnThePathCounts(@TempDir Path dir) throws IOException {
    Path notExecutable = Files.createDirectories(dir.resolve("a")).resolve("chromium");
    Files.writeString(notExecutable, "");
    Path executable = Files.createDirectories(dir.resolve("b")).resolve("chromium");
    Files.writeString(executable, "");
    Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
    String path = dir.resolve("a") + ":" + dir.resolve("missing") + ":" + dir.resolve("b");

    assertThat(BrowserChoice.onPath("chromium", path)).contains(executable);
    assertThat(BrowserChoice.onPath("chromedriver", path)).isEmpty();
  }
}
