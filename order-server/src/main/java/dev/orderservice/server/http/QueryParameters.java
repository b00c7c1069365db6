package dev.orderservice.server.http;

import dev.orderservice.domain.Violation;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The query parameters of a request, read strictly: only the names the route knows, each at most
 * once, none empty. Anything else is a 400 ({@link ApiError}) whose message names what is wrong by
 * the parameter's name, never repeating a value or a name the route does not know (either could
 * carry anything a client typed). One exception: {@value #CACHE_BUSTER}, which jQuery and fetch
 * polyfills add to a request that must not come from a cache ({@code cache: 'no-store'}), is
 * ignored on every route. Immutable.
 */
public final class QueryParameters {

  /** The conventional cache-busting parameter, ignored. */
  static final String CACHE_BUSTER = "_";

  private final Map<String, String> values;

  private QueryParameters(Map<String, String> values) {
    this.values = values;
  }

  /**
   * The parameters of {@code exchange}'s query.
   *
   * @param route the route, for the message about an unknown parameter, e.g. {@code GET /orders}
   * @param known the parameters the route takes, in the order the message lists them
   * @throws ApiError 400 for an unknown parameter, one given twice, or one given empty
   */
  public static QueryParameters read(
      HttpServerExchange exchange, String route, List<String> known) {
    Map<String, String> values = new HashMap<>();
    for (Map.Entry<String, Deque<String>> parameter : exchange.getQueryParameters().entrySet()) {
      String name = parameter.getKey();
      if (name.equals(CACHE_BUSTER)) {
        continue;
      }
      if (!known.contains(name)) {
        throw new ApiError(
            StatusCodes.BAD_REQUEST,
            Json.error("unknown query parameter: " + route + " takes " + listed(known), List.of()));
      }
      Deque<String> given = parameter.getValue();
      if (given.size() > 1) {
        throw invalid(name, "is given more than once", "must be given at most once");
      }
      String value = given.isEmpty() ? "" : given.getFirst();
      if (value.isEmpty()) {
        throw invalid(name, "is empty", "must not be empty; leave the parameter out instead");
      }
      values.put(name, value);
    }
    return new QueryParameters(values);
  }

  /** The value of {@code name}, never empty; empty when the parameter is not given. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /**
   * A 400 about one parameter: {@code error} is "{@code name} {@code what}", and the one violation
   * has the parameter's name as its path and {@code reason}.
   */
  public static ApiError invalid(String name, String what, String reason) {
    return new ApiError(
        StatusCodes.BAD_REQUEST,
        Json.error(name + " " + what, List.of(new Violation(name, reason))));
  }

  /** {@code a, b and c}. */
  private static String listed(List<String> names) {
    if (names.size() == 1) {
      return names.get(0);
    }
    return String.join(", ", names.subList(0, names.size() - 1))
        + " and "
        + names.get(names.size() - 1);
  }
}
