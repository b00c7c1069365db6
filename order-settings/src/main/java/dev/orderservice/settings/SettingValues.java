package dev.orderservice.settings;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The values of the settings a command declares (see {@link SettingOptions}), checked as they are
 * read. A view: it reads the command's options each time, so it sees the last parse. Not thread
 * safe, as the command line it reads is not.
 */
public final class SettingValues {

  private final CommandSpec command;

  SettingValues(CommandSpec command) {
    this.command = command;
  }

  /**
   * The value of {@code setting}: as the flag gave it, else its variable, else its default.
   *
   * @throws InvalidSettingException if that is not a value the setting takes
   * @throws IllegalArgumentException if the command has no option for {@code setting}
   */
  public <T> T get(Setting<T> setting) {
    OptionSpec option = option(setting);
    return setting.read(option.names()[0], option.getValue());
  }

  /** The flag under which the command takes {@code setting}, for a message that names it. */
  public String flag(Setting<?> setting) {
    return option(setting).names()[0];
  }

  /**
   * The message for a value of {@code setting} that is refused because of {@code why}, where the
   * reason lies beyond the value itself (another setting, say); see {@link Setting#invalid}.
   */
  public InvalidSettingException invalid(Setting<?> setting, String why) {
    OptionSpec option = option(setting);
    return setting.invalid(option.names()[0], option.getValue(), why);
  }

  private OptionSpec option(Setting<?> setting) {
    for (OptionSpec option : command.options()) {
      if (option.userObject() == setting) {
        return option;
      }
    }
    throw new IllegalArgumentException(
        "no option for " + setting + " in " + command.qualifiedName());
  }
}
