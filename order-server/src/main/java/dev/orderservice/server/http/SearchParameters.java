package dev.orderservice.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.orderservice.domain.OrderCursor;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.domain.OrderPage;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.OrderSummaryJson;
import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /orders}: its query string as an {@link OrderQuery}, and a page of the answer as JSON.
 * Every parameter is optional: {@code track_number} and {@code customer_id} (exact), {@code from}
 * (inclusive) and {@code to} (exclusive), ISO-8601 date-times with an offset, {@code limit}
 * 1..{@value OrderQuery#MAX_LIMIT} and {@code cursor}, the {@code next} of the answer before.
 * Anything wrong is a 400 saying which parameter and why, without repeating what was sent.
 * Stateless.
 */
public final class SearchParameters {

  static final String ROUTE = "GET /orders";
  public static final List<String> PARAMETERS =
      List.of("track_number", "customer_id", "from", "to", "limit", "cursor");

  /** The longest track number or customer id a search takes. */
  static final int MAX_TEXT = 256;

  /** The longest cursor: far more than {@link OrderCursor#encode} writes. */
  public static final int MAX_CURSOR = 256;

  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private SearchParameters() {}

  /**
   * The search {@code exchange} asks for.
   *
   * @throws ApiError 400 for the first parameter that is not acceptable
   */
  static OrderQuery query(HttpServerExchange exchange) {
    QueryParameters parameters = QueryParameters.read(exchange, ROUTE, PARAMETERS);
    Optional<Instant> from = parameters.get("from").map(value -> instant("from", value));
    Optional<Instant> to = parameters.get("to").map(value -> instant("to", value));
    if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
      throw QueryParameters.invalid("from", "is after to", "must not be after to");
    }
    OrderQuery query =
        OrderQuery.builder()
            .trackNumber(
                parameters.get("track_number").map(v -> text("track_number", v)).orElse(null))
            .customerId(parameters.get("customer_id").map(v -> text("customer_id", v)).orElse(null))
            .from(from.orElse(null))
            .to(to.orElse(null))
            .limit(
                parameters
                    .get("limit")
                    .map(SearchParameters::limit)
                    .orElse(OrderQuery.DEFAULT_LIMIT))
            .build();
    Optional<String> cursor = parameters.get("cursor");
    return cursor.isEmpty() ? query : query.after(cursor(cursor.get(), query));
  }

  /**
   * {@code {"orders": [summary...], "next": "<cursor>"}}, each summary as {@link OrderSummaryJson}
   * writes it, {@code next} only while more orders match: written straight into the bytes sent,
   * with no tree or string of each summary in between.
   */
  static byte[] answer(OrderPage page, OrderQuery query) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 192 * page.orders().size());
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("orders");
      for (OrderSummary summary : page.orders()) {
        OrderSummaryJson.write(summary, json);
      }
      json.writeEndArray();
      if (page.next().isPresent()) {
        json.writeStringField("next", page.next().get().encode(query));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a page of orders", e); // memory never fails
    }
    return out.toByteArray();
  }

  private static String text(String name, String value) {
    if (value.length() > MAX_TEXT) {
      throw QueryParameters.invalid(
          name,
          "is longer than " + MAX_TEXT + " characters",
          "must be 1.." + MAX_TEXT + " characters");
    }
    if (CONTROL.matcher(value).find()) {
      throw QueryParameters.invalid(
          name, "contains a control character", "must not contain control characters");
    }
    return value;
  }

  /**
   * A date-time with its offset. A {@code +} that was not percent-encoded arrives as a space (the
   * query string's form encoding), and a date-time has no space, so a space is read as {@code +}.
   */
  private static Instant instant(String name, String value) {
    String dateTime = value.replace(' ', '+');
    if (!OrderDates.isValid(dateTime)) {
      throw QueryParameters.invalid(
          name,
          "is not an ISO-8601 date-time with an offset",
          "must be an ISO-8601 date-time with an offset, e.g. 2021-11-26T06:22:19Z or"
              + " 2021-11-26T09:22:19+03:00");
    }
    return OrderDates.instant(dateTime);
  }

  private static int limit(String value) {
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= OrderQuery.MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw QueryParameters.invalid(
        "limit",
        "must be 1.." + OrderQuery.MAX_LIMIT,
        "must be a whole number 1.." + OrderQuery.MAX_LIMIT);
  }

  private static OrderCursor cursor(String token, OrderQuery query) {
    try {
      if (token.length() <= MAX_CURSOR) {
        return OrderCursor.decode(token, query);
      }
    } catch (IllegalArgumentException e) {
      // OrderCursor's message never repeats the token, but the answer below says the same
    }
    throw QueryParameters.invalid(
        "cursor",
        "is not one that this search returned",
        "must be the next of an earlier answer to the same search; start again without it");
  }
}
