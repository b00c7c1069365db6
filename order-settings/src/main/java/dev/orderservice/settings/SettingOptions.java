package dev.orderservice.settings;

import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Settings as picocli options. A runner adds an option per setting to its command ({@link
 * #option}), installs the one environment default provider ({@link #environment}), and after
 * parsing reads checked values ({@link #values}). Stateless; the options hold the text given.
 *
 * <p>An option of a setting takes its value as text; the text is checked when the value is read, so
 * that a bad value gets the same one-line message whether it came from a flag, a variable or the
 * default.
 */
public final class SettingOptions {

  private SettingOptions() {}

  /**
   * An option for {@code setting} under {@code names} (its own flag when none are given; the first
   * name is the one messages use), with the setting's label, help and default. The caller may set
   * more before building it, e.g. a scope for a command's subcommands to inherit it.
   */
  public static OptionSpec.Builder option(Setting<?> setting, String... names) {
    OptionSpec.Builder option =
        OptionSpec.builder(names.length == 0 ? new String[] {setting.flag()} : names)
            .paramLabel(setting.paramLabel())
            .type(String.class)
            .description(setting.help())
            .userObject(setting);
    setting.defaultValue().ifPresent(option::defaultValue);
    return option;
  }

  /**
   * The default value provider of a command line whose settings are read from {@code env}: for an
   * option of a setting, the first of the setting's variables that is set and not blank; for any
   * other option, and when none is set, nothing (picocli then uses the option's default).
   */
  public static IDefaultValueProvider environment(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    return argSpec ->
        argSpec.userObject() instanceof Setting<?> setting
            ? setting.fromEnvironment(env).orElse(null)
            : null;
  }

  /** The values of the settings {@code command} declares, as its last parse gave them. */
  public static SettingValues values(CommandSpec command) {
    return new SettingValues(Objects.requireNonNull(command, "command"));
  }
}
