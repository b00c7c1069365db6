package dev.orderservice.ingest;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A Kafka client setting the ingest's guarantees rest on: the ingest sets it to {@link #value}
 * whatever its caller's properties say. {@link OrderIngest#forcedSettings} lists them, so that a
 * runner can refuse a user's setting that asks for something else, with the same reason.
 *
 * <p>Immutable.
 *
 * @param name the Kafka property, e.g. {@code enable.auto.commit}
 * @param value what the ingest sets it to
 * @param why one sentence without a final period: what would break otherwise
 */
public record ForcedSetting(String name, Object value, String why) {

  /** Other ways of writing a value that Kafka reads as the same one. */
  private static final List<List<String>> SAME =
      List.of(List.of("all", "-1")); // acks: -1 is what "all" stands for

  public ForcedSetting {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(why, "why");
  }

  /**
   * Whether {@code text}, a property's value as a user writes it, means {@link #value}: the same
   * text in any case, or a class name of the forced class, or another spelling Kafka reads the same
   * ({@code acks=-1} for {@code all}).
   */
  public boolean accepts(String text) {
    String given = text.strip().toLowerCase(Locale.ROOT);
    String forced = valueText().toLowerCase(Locale.ROOT);
    if (given.equals(forced)) {
      return true;
    }
    return SAME.stream().anyMatch(same -> same.contains(given) && same.contains(forced));
  }

  /** The value as a properties file writes it. */
  public String valueText() {
    return value instanceof Class<?> type ? type.getName() : String.valueOf(value);
  }
}
