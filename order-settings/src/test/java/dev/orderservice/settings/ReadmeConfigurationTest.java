package dev.orderservice.settings;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's table of the server's configuration agrees with the table of settings. */
class ReadmeConfigurationTest {

  /** Surefire runs in the module's directory; the README sits at the reactor root. */
  private static final Path README = Path.of("..", "README.md");

  /** A row of the README's table: variables, flag, default, meaning. */
  private record Row(String variables, String flag, String byDefault) {}

  @Test
  void theConfigurationTableListsEverySettingWithItsVariablesAndFlagInOrder() throws IOException {
    List<String> documented = rows().stream().map(row -> row.variables + " " + row.flag).toList();

    List<String> settings = new ArrayList<>();
    for (Setting<?> setting : Settings.all()) {
      settings.add("`" + String.join("` / `", setting.variables()) + "` `" + setting.flag() + "`");
    }
    assertThat(documented).containsExactlyElementsOf(settings);
  }

  @Test
  void theConfigurationTableGivesEachLiteralDefault() throws IOException {
    List<Row> rows = rows();
    for (int i = 0; i < rows.size(); i++) {
      Setting<?> setting = Settings.all().get(i);
      String documented = rows.get(i).byDefault;
      setting
          .defaultValue()
          .ifPresent(
              byDefault -> assertThat(documented).as(setting.variable()).contains(byDefault));
    }
  }

  private static List<Row> rows() throws IOException {
    List<Row> rows = new ArrayList<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(README, UTF_8)) {
      if (line.startsWith("#")) {
        inSection = line.equals("### Configuration");
      } else if (inSection && line.startsWith("| `")) {
        String[] cells = line.split("\\|");
        rows.add(new Row(cells[1].strip(), cells[2].strip(), cells[3].strip()));
      }
    }
    return rows;
  }
}
