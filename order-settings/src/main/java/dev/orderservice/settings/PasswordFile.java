package dev.orderservice.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads a secret from a file, as mounted secrets (Docker, Kubernetes) and {@code echo > file} leave
 * it: UTF-8, the line break at its end not part of it. Stateless.
 */
final class PasswordFile {

  private PasswordFile() {}

  /**
   * The file's content without its trailing line breaks.
   *
   * @param refusal makes the exception for a file that cannot be used, from why (never the content)
   * @throws InvalidSettingException if the file cannot be read or holds nothing
   */
  static String read(Path file, Function<String, InvalidSettingException> refusal) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw refusal.apply("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    String password = content.replaceAll("[\\r\\n]+$", "");
    if (password.isEmpty()) {
      throw refusal.apply(file + " is empty");
    }
    return password;
  }
}
