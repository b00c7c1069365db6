package dev.orderservice.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {

  @TempDir Path dir;

  private static String read(Path file) {
    return PasswordFile.read(file, why -> new InvalidSettingException("refused: " + why));
  }

  @Test
  void theLineBreakAtTheEndIsNotPartOfThePasswordButOtherBlanksAre() throws IOException {
    Path unix = Files.writeString(dir.resolve("unix"), " s3cret \n");
    Path windows = Files.writeString(dir.resolve("windows"), "s3cret\r\n");
    Path bare = Files.writeString(dir.resolve("bare"), "s3cret");

    assertThat(read(unix)).isEqualTo(" s3cret ");
    assertThat(read(windows)).isEqualTo("s3cret");
    assertThat(read(bare)).isEqualTo("s3cret");
  }

  @Test
  void aMissingOrEmptyFileIsRefusedWithoutContent() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");

    assertThatThrownBy(() -> read(dir.resolve("missing")))
        .hasMessage("refused: cannot read " + dir.resolve("missing") + " (NoSuchFileException)");
    assertThatThrownBy(() -> read(empty)).hasMessage("refused: " + empty + " is empty");
  }
}
