package dev.orderservice.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCache;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.domain.Violation;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

/**
 * The order endpoints. Each handler is small: it checks what can be checked on the IO thread,
 * then either answers there (a cache hit) or dispatches the blocking part (JDBC, reading a body)
 * to the worker pool. Failures are thrown ({@link ApiError} and others) and answered by {@link
 * ErrorMapping}.
 *
 * <p>Thread safe: it holds only thread-safe collaborators.
 */
final class OrderEndpoints {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  /** A {@code line 3, column 14: } prefix of a codec reason. */
  private static final Pattern POSITION = Pattern.compile("^line \\d+, column \\d+: ");

  private final OrderService service;
  private final OrderStore store;
  private final OrderCache cache;
  private final OrderCodec codec;
  private final RequestBodies bodies;
  private final Executor workers;
  private final MissLoader misses;

  OrderEndpoints(
      OrderService service, OrderStore store, OrderCache cache, OrderCodec codec,
      RequestBodies bodies, Executor workers, MissLoader misses) {
    this.service = Objects.requireNonNull(service, "service");
    this.store = Objects.requireNonNull(store, "store");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.misses = Objects.requireNonNull(misses, "misses");
  }

  /**
   * {@code GET /orders/{order_uid}}: a cache hit is answered right here on the IO thread; a miss
   * is read from the store by the {@link MissLoader}, together with other misses, and fills the
   * cache.
   */
  void find(HttpServerExchange exchange) {
    String uid = pathParameter(exchange, "order_uid");
    if (!OrderValidator.isValidOrderUid(uid)) {
      throw new ApiError(StatusCodes.BAD_REQUEST, Json.error("malformed order_uid", List.of(
          new Violation("order_uid", "must be 1..64 characters of [A-Za-z0-9_-]"))));
    }
    Optional<byte[]> cached = cache.get(uid);
    if (cached.isPresent()) {
      Responses.json(exchange, StatusCodes.OK, cached.get());
      return;
    }
    // Answered later, from a loader thread: the exchange stays open after this handler returns.
    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> readThrough(exchange, uid));
  }

  /** {@code GET /orders?limit=N}: the newest orders' summaries, on a worker. */
  void recent(HttpServerExchange exchange) {
    int limit = limit(exchange);
    exchange.dispatch(workers, ErrorMapping.around(ex ->
        Responses.json(ex, StatusCodes.OK, Json.summaries(store.recent(limit)))));
  }

  /** {@code POST /orders/create}: multipart/form-data with the order in {@code order_file}. */
  void upload(HttpServerExchange exchange) {
    FormDataParser parser = bodies.multipartParser(exchange);
    exchange.dispatch(workers, ErrorMapping.around(ex ->
        acceptOne(ex, RequestBodies.readOrderFile(ex, parser))));
  }

  /** {@code POST /orders}: application/json, one order object or an array of them. */
  void create(HttpServerExchange exchange) {
    if (!isJson(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE))) {
      throw ApiError.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "expected application/json");
    }
    RequestBodies.limitJson(exchange);
    exchange.dispatch(workers, ErrorMapping.around(ex -> {
      byte[] body = RequestBodies.readJson(ex);
      if (startsWithArray(body)) {
        acceptAll(ex, body);
      } else {
        acceptOne(ex, body);
      }
    }));
  }

  /**
   * Reads a missed order through the {@link MissLoader}, fills the cache and answers. Not
   * OrderService.find: that would ask the cache a second time and count a second miss.
   */
  private void readThrough(HttpServerExchange exchange, String uid) {
    MissLoader.Answer answer = new MissLoader.Answer() {
      @Override
      public void found(Optional<byte[]> json) {
        if (json.isEmpty()) {
          ErrorMapping.respond(exchange, new ApiError(StatusCodes.NOT_FOUND,
              Json.error("order not found").put("order_uid", uid)));
          return;
        }
        cache.put(uid, json.get());
        Responses.json(exchange, StatusCodes.OK, json.get());
      }

      @Override
      public void failed(RuntimeException failure) {
        ErrorMapping.respond(exchange, failure);
      }
    };
    try {
      misses.load(uid, answer);
    } catch (RejectedExecutionException e) {
      ErrorMapping.respond(exchange, e);
    }
  }

  private void acceptOne(HttpServerExchange exchange, byte[] document) {
    DecodeResult decoded = codec.decode(document);
    if (decoded instanceof DecodeResult.Failed failed) {
      throw new ApiError(StatusCodes.BAD_REQUEST, Json.error(failed.reason(), List.of()));
    }
    AcceptResult result = service.accept(((DecodeResult.Decoded) decoded).order());
    switch (result.status()) {
      case INSERTED -> {
        exchange.getResponseHeaders().put(Headers.LOCATION, "/orders/" + result.orderUid());
        Responses.json(exchange, StatusCodes.CREATED, Json.accepted(result));
      }
      case DUPLICATE -> Responses.json(exchange, StatusCodes.OK, Json.accepted(result));
      case CONFLICT -> throw new ApiError(StatusCodes.CONFLICT, Json.error(
              "order_uid " + result.orderUid() + " is stored with different content")
          .put("order_uid", result.orderUid())
          .put("status", result.status().name()));
      case INVALID -> throw new ApiError(StatusCodes.BAD_REQUEST,
          Json.error("invalid order", result.violations()));
      default -> throw new IllegalStateException("unknown status " + result.status());
    }
  }

  /**
   * An array of orders: each element is decoded on its own (re-serialised from the tree, then read
   * by the codec, so its rules are the same as for one order), the decodable ones are accepted in
   * one {@link OrderService#acceptAll} call, and every element gets a line in the answer, in order.
   */
  private void acceptAll(HttpServerExchange exchange, byte[] body) {
    ArrayNode elements = parseArray(body);
    AcceptResult[] results = new AcceptResult[elements.size()];
    List<Order> orders = new ArrayList<>(elements.size());
    List<Integer> positions = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      JsonNode element = elements.get(i);
      DecodeResult decoded = codec.decode(Json.bytes(element));
      if (decoded instanceof DecodeResult.Decoded ok) {
        orders.add(ok.order());
        positions.add(i);
      } else {
        // The codec's line and column point into the re-serialised element, not the request.
        String reason = POSITION.matcher(((DecodeResult.Failed) decoded).reason()).replaceFirst("");
        results[i] = new AcceptResult(element.path("order_uid").asText(""),
            AcceptResult.Status.INVALID, List.of(new Violation("[" + i + "]", reason)));
      }
    }
    List<AcceptResult> accepted = orders.isEmpty() ? List.of() : service.acceptAll(orders);
    for (int k = 0; k < accepted.size(); k++) {
      results[positions.get(k)] = accepted.get(k);
    }
    ArrayNode answer = Json.array();
    for (AcceptResult result : results) {
      answer.add(Json.acceptedWithViolations(result));
    }
    Responses.json(exchange, StatusCodes.OK, answer);
  }

  private static ArrayNode parseArray(byte[] body) {
    try {
      return (ArrayNode) Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiError(StatusCodes.BAD_REQUEST, Json.error(describe(e), List.of()));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a byte array does no I/O
    }
  }

  /** Where the JSON broke; Jackson's own message is left out, as it may quote the input. */
  private static String describe(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where =
        at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
    String original = String.valueOf(e.getOriginalMessage());
    if (original.startsWith("Duplicate field")) {
      return where + "duplicate field" + original.substring("Duplicate field".length());
    }
    return where + "the body is not well-formed JSON";
  }

  private static int limit(HttpServerExchange exchange) {
    Deque<String> values = exchange.getQueryParameters().get("limit");
    if (values == null || values.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(values.getFirst().strip());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiError(StatusCodes.BAD_REQUEST, Json.error("limit must be 1.." + MAX_LIMIT,
        List.of(new Violation("limit", "must be a whole number 1.." + MAX_LIMIT))));
  }

  private static String pathParameter(HttpServerExchange exchange, String name) {
    PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
    String value = match == null ? null : match.getParameters().get(name);
    return value == null ? "" : value;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int parameters = contentType.indexOf(';');
    String mediaType = parameters < 0 ? contentType : contentType.substring(0, parameters);
    return mediaType.strip().toLowerCase(Locale.ROOT).equals(Responses.JSON);
  }

  private static boolean startsWithArray(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '[';
      }
    }
    return false;
  }
}
