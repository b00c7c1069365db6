package dev.orderservice.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One setting of the runners: its environment variables (in order of preference), its flag, its
 * default, how its text is checked and turned into a value, and its description for {@code --help}.
 * The rows are in {@link Settings}; {@link SettingOptions} makes picocli options of them.
 *
 * <p>A setting without a default is optional: its value is an {@code Optional}, empty when it is
 * unset or blank. A setting with a default always has a value; its default is checked like a value
 * that was given.
 *
 * <p>Immutable and thread safe.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {

  private final List<String> variables;
  private final String flag;
  private final String paramLabel;
  private final String description;
  private final Optional<String> defaultValue;
  private final Optional<String> unsetMeaning;
  private final boolean secret;
  private final Function<String, T> reader;

  private Setting(Builder builder, Function<String, T> reader) {
    this.variables = builder.variables;
    this.flag = Objects.requireNonNull(builder.flag, "flag");
    this.paramLabel = Objects.requireNonNull(builder.paramLabel, "paramLabel");
    this.description = Objects.requireNonNull(builder.description, "description");
    this.defaultValue = builder.defaultValue;
    this.unsetMeaning = builder.unsetMeaning;
    this.secret = builder.secret;
    this.reader = reader;
  }

  /**
   * Starts a setting read from {@code variable}, else from the first of {@code fallbacks} that is
   * set (e.g. {@code KAFKA_BROKER}, then {@code KAFKA_BROKERS}).
   */
  public static Builder named(String variable, String... fallbacks) {
    return new Builder(variable, fallbacks);
  }

  /** The environment variable that names this setting in messages and in the documentation. */
  public String variable() {
    return variables.get(0);
  }

  /** The environment variables this setting is read from, the preferred one first. */
  public List<String> variables() {
    return variables;
  }

  /** The flag of this setting unless a runner spells it otherwise, e.g. {@code --kafka-topic}. */
  public String flag() {
    return flag;
  }

  /** What the flag's value looks like in the help, e.g. {@code HOST:PORT[,...]}. */
  public String paramLabel() {
    return paramLabel;
  }

  /** The literal default, checked like a given value; empty for an optional setting. */
  public Optional<String> defaultValue() {
    return defaultValue;
  }

  /** Whether a given value must never be repeated (in a message, a log line or the help). */
  public boolean secret() {
    return secret;
  }

  /**
   * The description for {@code --help}: what the setting does, its variables, and its default, e.g.
   * {@code Topic of order documents (env KAFKA_TOPIC). Default: orders.}
   */
  public String help() {
    String text = description + " (env " + String.join(" or ", variables) + ").";
    Optional<String> byDefault = defaultValue.or(() -> unsetMeaning);
    return byDefault.map(d -> text + " Default: " + d + ".").orElse(text);
  }

  /**
   * The first of this setting's variables that is set and not blank in {@code env}. Every lookup
   * goes through {@code env.get}, so that a caller can see which variables are read.
   */
  public Optional<String> fromEnvironment(Map<String, String> env) {
    for (String variable : variables) {
      String value = env.get(variable);
      if (value != null && !value.isBlank()) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /**
   * Checks {@code text} and returns its value: {@code text} as given under {@code flag} or in a
   * variable; {@code null} when neither gave one, which means the default.
   *
   * @throws InvalidSettingException if the value is not one this setting takes; the message names
   *     the variable and {@code flag}, and the value unless it is secret
   */
  public T read(String flag, String text) {
    String given = given(text);
    try {
      return reader.apply(given);
    } catch (IllegalArgumentException e) {
      throw invalid(flag, given, e.getMessage());
    }
  }

  /**
   * The one-line message for {@code text}, given under {@code flag} ({@code null}: the default),
   * which this setting refuses because of {@code why}: {@code invalid VAR (--flag) "value": why},
   * without the value if it is secret or absent.
   */
  public InvalidSettingException invalid(String flag, String text, String why) {
    StringBuilder message =
        new StringBuilder("invalid ").append(variable()).append(" (").append(flag).append(')');
    String given = given(text);
    if (given != null && !secret) {
      message.append(" \"").append(printable(given)).append('"');
    }
    return new InvalidSettingException(message.append(": ").append(why).toString());
  }

  @Override
  public String toString() {
    return variable();
  }

  private String given(String text) {
    return text != null ? text : defaultValue.orElse(null);
  }

  /** Keeps an echoed value on one line and short. */
  private static String printable(String value) {
    String oneLine = value.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
  }

  /**
   * The parts of a {@link Setting}; {@link #parsedBy} or {@link #optional} ends it. Not thread
   * safe.
   */
  public static final class Builder {
    private final List<String> variables;
    private String flag;
    private String paramLabel;
    private String description;
    private Optional<String> defaultValue = Optional.empty();
    private Optional<String> unsetMeaning = Optional.empty();
    private boolean secret;

    private Builder(String variable, String... fallbacks) {
      List<String> names = new ArrayList<>();
      names.add(variable);
      names.addAll(List.of(fallbacks));
      this.variables = List.copyOf(names);
    }

    /** The flag, e.g. {@code --kafka-topic}, and what its value looks like, e.g. {@code TOPIC}. */
    public Builder flag(String flag, String paramLabel) {
      this.flag = flag;
      this.paramLabel = paramLabel;
      return this;
    }

    /** What the setting does, for the help; one or more sentences without the final period. */
    public Builder describedAs(String description) {
      this.description = description;
      return this;
    }

    /** The value when none is given; checked like a given one. */
    public Builder byDefault(String value) {
      this.defaultValue = Optional.of(value);
      return this;
    }

    /** For an optional setting: what happens when it is unset, for the help, e.g. "none". */
    public Builder unsetMeans(String meaning) {
      this.unsetMeaning = Optional.of(meaning);
      return this;
    }

    /** The value is a password or a token: never repeated in a message. */
    public Builder secret() {
      this.secret = true;
      return this;
    }

    /**
     * A setting with a default, whose text (stripped of surrounding blanks) {@code parser} turns
     * into its value; {@code parser} throws an {@link IllegalArgumentException} saying why a text
     * is refused.
     */
    public <T> Setting<T> parsedBy(Function<String, T> parser) {
      if (defaultValue.isEmpty()) {
        throw new IllegalStateException(variables.get(0) + ": a default, or optional(parser)");
      }
      return new Setting<>(this, text -> parser.apply(text.strip()));
    }

    /**
     * An optional setting: empty when unset or blank, else what {@code parser} makes of its text
     * (stripped of surrounding blanks); {@code parser} throws an {@link IllegalArgumentException}
     * saying why a text is refused.
     */
    public <T> Setting<Optional<T>> optional(Function<String, T> parser) {
      if (defaultValue.isPresent()) {
        throw new IllegalStateException(variables.get(0) + ": optional, or byDefault");
      }
      return new Setting<>(
          this,
          text ->
              text == null || text.isBlank()
                  ? Optional.empty()
                  : Optional.of(parser.apply(text.strip())));
    }
  }
}
