package dev.orderservice.domain;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * {@code date_created}: what the service accepts, and the instant it means. The text is kept as the
 * producer wrote it (the canonical JSON returns it unchanged); searches compare the instant, so
 * that {@code 2021-11-26T09:22:19+03:00} and {@code 2021-11-26T06:22:19Z} are the same moment.
 */
public final class OrderDates {

  private OrderDates() {}

  /**
   * Whether {@code value} is an ISO-8601 date-time with an offset, as {@link
   * DateTimeFormatter#ISO_OFFSET_DATE_TIME} reads it (strictly: no 30 February), with a four-digit
   * year: the expanded years java.time also reads ({@code +10000}, {@code -2021}) are refused, as
   * the published JSON Schema refuses them.
   */
  public static boolean isValid(String value) {
    if (value == null || value.length() < 5 || value.charAt(4) != '-') {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    try {
      DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /**
   * The instant {@code value} means, truncated to microseconds (what PostgreSQL's {@code
   * timestamptz} holds, so that what is stored and what is compared are the same).
   *
   * @throws IllegalArgumentException if {@code value} is not {@link #isValid valid}
   */
  public static Instant instant(String value) {
    if (!isValid(value)) {
      throw new IllegalArgumentException(
          "not an ISO-8601 date-time with offset and a four-digit year: " + value);
    }
    return OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        .toInstant()
        .truncatedTo(ChronoUnit.MICROS);
  }
}
