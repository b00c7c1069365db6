package dev.orderservice.settings;

import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAmount;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kinds of value the settings take. Each parser gets the text stripped of surrounding blanks
 * and throws an {@link IllegalArgumentException} whose message says why a text is refused (the
 * setting adds which setting and which value). Stateless.
 */
final class Parsers {

  private static final Pattern HOST_PORT =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.%]+)]|([^\\s:\\[\\]]*)):([0-9]+)");
  private static final Pattern BROKER =
      Pattern.compile("(?:[A-Za-z_]+://)?(?:\\[[0-9A-Fa-f:.%]+]|[A-Za-z0-9._-]+):([0-9]+)");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");
  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,249}");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)?");
  private static final Pattern LONG_DURATION = Pattern.compile("([0-9]{1,9})(d|h|m|s)");

  private Parsers() {}

  /** A whole number from {@code min} to {@code max}. */
  static Function<String, Long> wholeNumber(long min, long max, String expected) {
    return text -> {
      try {
        long number = Long.parseLong(text);
        if (number >= min && number <= max) {
          return number;
        }
      } catch (NumberFormatException e) {
        // refused below
      }
      throw new IllegalArgumentException(expected);
    };
  }

  /** A duration: {@code 45s}, {@code 2m}, {@code 500ms}; seconds without a unit. */
  static Function<String, Duration> duration(Duration min, Duration max, String expected) {
    return text -> {
      Matcher m = DURATION.matcher(text);
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration duration =
            switch (unit) {
              case "ms" -> Duration.ofMillis(amount);
              case "m" -> Duration.ofMinutes(amount);
              default -> Duration.ofSeconds(amount);
            };
        if (duration.compareTo(min) >= 0 && duration.compareTo(max) <= 0) {
          return duration;
        }
      }
      throw new IllegalArgumentException(expected);
    };
  }

  /**
   * A long duration: {@code 7d}, {@code 36h}, {@code 90m}, {@code 45s}, or ISO-8601 ({@code P7D},
   * {@code PT36H}).
   */
  static Function<String, Duration> longDuration(Duration min, Duration max, String expected) {
    return text -> {
      Duration duration = null;
      Matcher m = LONG_DURATION.matcher(text);
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        duration =
            switch (m.group(2)) {
              case "d" -> Duration.ofDays(amount);
              case "h" -> Duration.ofHours(amount);
              case "m" -> Duration.ofMinutes(amount);
              default -> Duration.ofSeconds(amount);
            };
      } else if (text.startsWith("P") || text.startsWith("p")) {
        try {
          duration = Duration.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
          // said below
        }
      }
      if (duration != null && duration.compareTo(min) >= 0 && duration.compareTo(max) <= 0) {
        return duration;
      }
      throw new IllegalArgumentException(expected);
    };
  }

  /** {@code first} or {@code second}, in any case; the value is the word in lower case. */
  static Function<String, String> either(String first, String second) {
    return text -> {
      String word = text.toLowerCase(Locale.ROOT);
      if (word.equals(first) || word.equals(second)) {
        return word;
      }
      throw new IllegalArgumentException("expected " + first + " or " + second);
    };
  }

  static Boolean trueOrFalse(String text) {
    return either("true", "false").apply(text).equals("true");
  }

  static String notBlank(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("must not be blank");
    }
    return text;
  }

  static String topic(String text) {
    if (!TOPIC.matcher(text).matches() || text.equals(".") || text.equals("..")) {
      throw new IllegalArgumentException(
          "a topic name is 1..249 characters of [A-Za-z0-9._-], not \".\" or \"..\"");
    }
    return text;
  }

  /** Kafka bootstrap servers: {@code HOST:PORT[,HOST:PORT...]}, a listener name allowed. */
  static String brokers(String text) {
    for (String broker : text.split(",", -1)) {
      Matcher m = BROKER.matcher(broker.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException("expected HOST:PORT[,HOST:PORT...]");
      }
      int port = Integer.parseInt(m.group(1).length() > 5 ? "99999" : m.group(1));
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port must be 1..65535");
      }
    }
    return text;
  }

  /** A static group member id, or {@code none} (in any case) for none. */
  static String instanceId(String text) {
    if (!text.equalsIgnoreCase("none") && !INSTANCE_ID.matcher(text).matches()) {
      throw new IllegalArgumentException("1..249 characters of [A-Za-z0-9._:-], or none");
    }
    return text;
  }

  /** {@code [HOST]:PORT} to listen on; no host means every interface ({@code 0.0.0.0}). */
  static InetSocketAddress listenAddress(String text) {
    Matcher m = HOST_PORT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected [HOST]:PORT, e.g. :8080 or 127.0.0.1:8080");
    }
    String port = m.group(3);
    if (port.length() > 5 || Integer.parseInt(port) > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    String host = m.group(1) != null ? m.group(1) : m.group(2);
    return InetSocketAddress.createUnresolved(
        host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(port));
  }

  /** A bearer token: it travels in an HTTP header. */
  static String token(String text) {
    if (!TOKEN.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "must be printable ASCII without spaces (it travels in an Authorization header)");
    }
    return text;
  }

  /**
   * An ISO-8601 period longer than zero, e.g. {@code P3Y} or {@code P90D}, as a {@link
   * java.time.Period}; or, with a time part, a duration, e.g. {@code PT12H}, as a {@link Duration}.
   */
  static TemporalAmount period(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    try {
      TemporalAmount amount = upper.contains("T") ? Duration.parse(upper) : Period.parse(upper);
      boolean positive =
          amount instanceof Period p
              ? !p.isNegative() && !p.isZero()
              : ((Duration) amount).compareTo(Duration.ZERO) > 0;
      if (positive) {
        return amount;
      }
    } catch (DateTimeParseException e) {
      // refused below
    }
    throw new IllegalArgumentException(
        "expected an ISO-8601 period longer than zero, e.g. P3Y, P18M or P90D (or a duration,"
            + " e.g. PT12H)");
  }

  static Path path(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a valid path: " + e.getReason());
    }
  }
}
