package dev.orderservice.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderDocument;
import dev.orderservice.domain.OrderDocuments;
import dev.orderservice.domain.OrderLookup;
import dev.orderservice.domain.OrderQuery;
import dev.orderservice.domain.OrderSearch;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.domain.TraceLog;
import dev.orderservice.domain.Violation;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The order endpoints. Each handler is small: it checks what can be checked on the IO thread, then
 * either answers there (a cache hit) or dispatches the blocking part (JDBC, reading a body) to the
 * worker pool. Failures are thrown ({@link ApiError} and others) and answered by {@link
 * ErrorMapping}.
 *
 * <p>Thread safe: it holds only thread-safe collaborators.
 */
public final class OrderEndpoints {

  static final String NDJSON = "application/x-ndjson";

  private final OrderService service;
  private final OrderLookup lookup;
  private final OrderSearch search;
  private final OrderCodec codec;
  private final RequestBodies bodies;
  private final Executor workers;
  private final Executor searches;

  /**
   * @param workers where uploads run
   * @param searches where searches run: as many threads as the connections searches may hold
   */
  public OrderEndpoints(
      OrderService service,
      OrderLookup lookup,
      OrderSearch search,
      OrderCodec codec,
      RequestBodies bodies,
      Executor workers,
      Executor searches) {
    this.service = Objects.requireNonNull(service, "service");
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    this.search = Objects.requireNonNull(search, "search");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.searches = Objects.requireNonNull(searches, "searches");
  }

  /**
   * {@code GET /orders/{order_uid}} through the {@link OrderLookup}: a cache hit is answered right
   * here on the IO thread; a miss is read from the store together with other misses (which fills
   * the cache) and answered from the thread that read it. Too many misses waiting: 503.
   */
  void find(HttpServerExchange exchange) {
    String uid = orderUid(exchange);
    CompletableFuture<Optional<byte[]>> found = lookup.find(uid);
    if (found.isDone()) {
      answer(exchange, uid, found);
      return;
    }
    // Answered later, from a reader's thread: the exchange stays open after this handler returns.
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () -> found.whenComplete((json, failure) -> answerOnReader(exchange, uid, found)));
  }

  /**
   * {@code GET /orders}: a page of the orders that match the query ({@link SearchParameters}); with
   * no filter, the newest. The query is checked here, the store searched on a search thread.
   */
  void search(HttpServerExchange exchange) {
    OrderQuery query = SearchParameters.query(exchange);
    exchange.dispatch(
        searches,
        ErrorMapping.around(
            ex ->
                Responses.json(
                    ex, StatusCodes.OK, SearchParameters.answer(search.search(query), query))));
  }

  /** {@code POST /orders/create}: multipart/form-data with the order in {@code order_file}. */
  void upload(HttpServerExchange exchange) {
    FormDataParser parser = bodies.multipartParser(exchange);
    exchange.dispatch(
        workers, ErrorMapping.around(ex -> acceptOne(ex, RequestBodies.readOrderFile(ex, parser))));
  }

  /**
   * {@code POST /orders}: {@code application/json}, one order object or an array of them, or {@code
   * application/x-ndjson}, one order a line.
   */
  void create(HttpServerExchange exchange) {
    String mediaType = mediaType(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
    boolean ndjson = mediaType.equals(NDJSON);
    if (!ndjson && !mediaType.equals(Responses.JSON)) {
      // application/x-ndjson is taken too, as the OpenAPI document says.
      throw ApiError.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "expected application/json");
    }
    RequestBodies.limitJson(exchange);
    exchange.dispatch(
        workers,
        ErrorMapping.around(
            ex -> {
              byte[] body = RequestBodies.readJson(ex);
              if (ndjson || OrderDocuments.isArray(body)) {
                acceptMany(ex, body);
              } else {
                acceptOne(ex, body);
              }
            }));
  }

  /**
   * Answers a lookup that is done: the order's JSON, 404 if no such order is stored, or the failure
   * as {@link ErrorMapping} says (a transient store failure is a 503).
   */
  private static void answer(
      HttpServerExchange exchange, String uid, CompletableFuture<Optional<byte[]>> done) {
    try {
      Optional<byte[]> json = done.join();
      if (json.isEmpty()) {
        throw new ApiError(
            StatusCodes.NOT_FOUND, Json.error("order not found").put("order_uid", uid));
      }
      Responses.json(exchange, StatusCodes.OK, json.get());
    } catch (CompletionException e) {
      ErrorMapping.respond(exchange, e.getCause());
    } catch (RuntimeException e) {
      ErrorMapping.respond(exchange, e);
    }
  }

  /** {@link #answer} on a reader's thread, in the request's trace. */
  private static void answerOnReader(
      HttpServerExchange exchange, String uid, CompletableFuture<Optional<byte[]>> done) {
    try (TraceLog trace = HttpTracing.resume(exchange)) {
      answer(exchange, uid, done);
    }
  }

  /** One document: the upload's file, or a body that is one order. */
  private void acceptOne(HttpServerExchange exchange, byte[] document) {
    AcceptResult result = service.acceptDocuments(List.of(OrderDocument.of(document))).get(0);
    switch (result.status()) {
      case INSERTED -> {
        exchange.getResponseHeaders().put(Headers.LOCATION, "/orders/" + result.orderUid());
        Responses.json(exchange, StatusCodes.CREATED, Json.accepted(result));
      }
      case DUPLICATE -> Responses.json(exchange, StatusCodes.OK, Json.accepted(result));
      case CONFLICT ->
          throw new ApiError(
              StatusCodes.CONFLICT,
              Json.error(result.describe())
                  .put("order_uid", result.orderUid())
                  .put("status", result.status().name()));
      case INVALID ->
          throw new ApiError(
              StatusCodes.BAD_REQUEST, Json.error("invalid order", result.violations()));
      case UNREADABLE ->
          throw new ApiError(StatusCodes.BAD_REQUEST, Json.error(result.describe(), List.of()));
      default -> throw new IllegalStateException("unknown status " + result.status());
    }
  }

  /**
   * Many documents, a JSON array or NDJSON, cut by the service's one reader ({@link
   * OrderDocuments}) and accepted in one {@link OrderService#acceptDocuments} call; every document
   * gets a line in the answer, in order. A body that breaks as JSON is refused whole, nothing
   * stored. A document that is not an order is answered {@code INVALID} (as before the service told
   * the two apart), its violation saying where in the body.
   */
  private void acceptMany(HttpServerExchange exchange, byte[] body) {
    List<OrderDocument> documents = OrderDocuments.read(body, codec.maxBytes());
    for (OrderDocument document : documents) {
      if (document.unreadable().isPresent()) {
        DecodeResult.Failed broken = document.unreadable().get();
        throw new ApiError(
            StatusCodes.BAD_REQUEST,
            Json.error(
                new DecodeResult.Failed(
                        "the body is not well-formed JSON", broken.line(), broken.column())
                    .reason(),
                List.of()));
      }
    }
    List<AcceptResult> results = service.acceptDocuments(documents);
    ArrayNode answer = Json.array();
    for (int i = 0; i < results.size(); i++) {
      AcceptResult result = results.get(i);
      if (result.status() == AcceptResult.Status.UNREADABLE) {
        OrderDocument document = documents.get(i);
        String where =
            document.arrayIndex() >= 0
                ? "[" + document.arrayIndex() + "]"
                : "line " + document.line();
        result =
            new AcceptResult(
                result.orderUid(),
                AcceptResult.Status.INVALID,
                List.of(new Violation(where, result.describe())));
      }
      answer.add(Json.acceptedWithViolations(result));
    }
    Responses.json(exchange, StatusCodes.OK, answer);
  }

  /** The media type of a Content-Type header, lower case, without parameters; "" when none. */
  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int parameters = contentType.indexOf(';');
    String type = parameters < 0 ? contentType : contentType.substring(0, parameters);
    return type.strip().toLowerCase(Locale.ROOT);
  }

  /** The {@code order_uid} of the path; a 400 if it is malformed. */
  static String orderUid(HttpServerExchange exchange) {
    String uid = pathParameter(exchange, "order_uid");
    if (!OrderValidator.isValidOrderUid(uid)) {
      throw new ApiError(
          StatusCodes.BAD_REQUEST,
          Json.error(
              "malformed order_uid",
              List.of(new Violation("order_uid", "must be 1..64 characters of [A-Za-z0-9_-]"))));
    }
    return uid;
  }

  static String pathParameter(HttpServerExchange exchange, String name) {
    PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
    String value = match == null ? null : match.getParameters().get(name);
    return value == null ? "" : value;
  }
}
