package dev.orderservice.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderservice.domain.OrderCache;
import dev.orderservice.domain.Violation;
import dev.orderservice.persistence.AuditLog;
import dev.orderservice.persistence.CustomerExport;
import dev.orderservice.persistence.OrderErasure;
import dev.orderservice.server.feed.HeardErasures;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The personal-data endpoints (README "Personal data"): erasure of an order or of a customer's
 * orders, a customer's access export as NDJSON, and the audit log. All of them are behind the API
 * token whatever {@code PROTECT_READS} says ({@link BearerToken#requiredAlways}); the work is done
 * on the worker pool. The erasing instance drops the erased orders from its own cache before it
 * answers; the others do when PostgreSQL tells them ({@code LiveFeedListener}).
 *
 * <p>Thread safe: it holds only thread-safe collaborators.
 */
public final class PersonalDataEndpoints {

  static final String ERASE_ORDER = "/orders/{order_uid}/erase";
  static final String ERASE_CUSTOMER = "/customers/{customer_id}/erase";
  static final String EXPORT = "/customers/{customer_id}/orders.ndjson";
  static final String AUDIT = "/audit";

  /** How many audit entries {@code GET /audit} returns without a {@code limit}. */
  static final int DEFAULT_AUDIT_LIMIT = 100;

  /** The longest customer id taken: the validator has no limit, a URL has. */
  static final int MAX_CUSTOMER_ID = 1_024;

  /** How long an erasure waits to hear itself announced before it answers anyway. */
  static final Duration HEARD_PATIENCE = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(PersonalDataEndpoints.class);

  private final OrderErasure erasure;
  private final CustomerExport export;
  private final AuditLog audit;
  private final OrderCache cache;
  private final PersonalDataMeters meters;
  private final HeardErasures heard;
  private final Executor workers;

  public PersonalDataEndpoints(
      OrderErasure erasure,
      CustomerExport export,
      AuditLog audit,
      OrderCache cache,
      PersonalDataMeters meters,
      HeardErasures heard,
      Executor workers) {
    this.erasure = Objects.requireNonNull(erasure, "erasure");
    this.export = Objects.requireNonNull(export, "export");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.heard = Objects.requireNonNull(heard, "heard");
    this.workers = Objects.requireNonNull(workers, "workers");
  }

  /** {@code POST /orders/{order_uid}/erase}: 200 with what was done, 404 for an unknown uid. */
  void eraseOrder(HttpServerExchange exchange) {
    String uid = OrderEndpoints.orderUid(exchange);
    exchange.dispatch(
        workers,
        ErrorMapping.around(
            ex -> {
              OrderErasure.Result result = erasure.eraseOrders(List.of(uid), "POST " + ERASE_ORDER);
              result.erased().forEach(cache::evict);
              if (result.nothingFound()) {
                throw new ApiError(
                    StatusCodes.NOT_FOUND, Json.error("order not found").put("order_uid", uid));
              }
              LOG.info(
                  "personal data: order {} erased ({} already erased)",
                  uid,
                  result.alreadyErased());
              ObjectNode body = Json.object().put("order_uid", uid);
              Responses.json(ex, StatusCodes.OK, counts(body, result));
            }));
  }

  /**
   * {@code POST /customers/{customer_id}/erase}: every order of the customer stored when it begins;
   * 200 with the counts and the pseudonym, 404 if the customer has no order at all.
   */
  void eraseCustomer(HttpServerExchange exchange) {
    String customerId = customerId(exchange);
    exchange.dispatch(
        workers,
        ErrorMapping.around(
            ex -> {
              OrderErasure.Result result =
                  erasure.eraseCustomer(customerId, "POST " + ERASE_CUSTOMER);
              afterErasure(result);
              meters.done(AuditLog.Action.ERASE_CUSTOMER, result.erased().size());
              if (result.nothingFound()) {
                throw ApiError.of(StatusCodes.NOT_FOUND, "no order of this customer is stored");
              }
              LOG.info(
                  "personal data: customer {} erased: {} orders ({} already erased)",
                  result.subject(),
                  result.erased().size(),
                  result.alreadyErased());
              ObjectNode body = Json.object().put("customer_pseudonym", result.subject());
              Responses.json(ex, StatusCodes.OK, counts(body, result));
            }));
  }

  /**
   * {@code GET /customers/{customer_id}/orders.ndjson}: every stored order of the customer, one
   * canonical JSON a line, streamed as it is read; 404 if the customer has no order.
   */
  void exportCustomer(HttpServerExchange exchange) {
    String customerId = customerId(exchange);
    exchange.dispatch(
        workers,
        ErrorMapping.around(
            ex -> {
              if (!export.hasOrders(customerId)) {
                throw ApiError.of(StatusCodes.NOT_FOUND, "no order of this customer is stored");
              }
              ex.startBlocking();
              ex.setStatusCode(StatusCodes.OK);
              ex.getResponseHeaders().put(Headers.CONTENT_TYPE, OrderEndpoints.NDJSON);
              ex.getResponseHeaders()
                  .put(Headers.CONTENT_DISPOSITION, "attachment; filename=\"orders.ndjson\"");
              try {
                long written = export.export(customerId, ex.getOutputStream(), "GET " + EXPORT);
                meters.done(AuditLog.Action.EXPORT_CUSTOMER, written);
                LOG.info("personal data: exported {} orders of a customer", written);
              } catch (UncheckedIOException e) {
                LOG.info("personal data: an export ended early: {}", e.getCause().toString());
              }
              ex.endExchange();
            }));
  }

  /** {@code GET /audit?limit=}: the newest audit entries, newest first. */
  void audit(HttpServerExchange exchange) {
    QueryParameters query = QueryParameters.read(exchange, AUDIT, List.of("limit"));
    int limit = query.get("limit").map(PersonalDataEndpoints::limit).orElse(DEFAULT_AUDIT_LIMIT);
    exchange.dispatch(
        workers,
        ErrorMapping.around(
            ex -> {
              ArrayNode entries = Json.array();
              for (AuditLog.Entry entry : audit.newest(limit)) {
                entries
                    .addObject()
                    .put("id", entry.id())
                    .put("at", entry.at().toString())
                    .put("action", entry.action())
                    .put("subject", entry.subject())
                    .put("orders", entry.orders())
                    .put("origin", entry.origin())
                    .put("detail", entry.detail());
              }
              ObjectNode body = Json.object();
              body.set("entries", entries);
              Responses.json(ex, StatusCodes.OK, body);
            }));
  }

  /**
   * Drops the erased orders from this instance's cache, then waits (at most {@link
   * #HEARD_PATIENCE}) until the listener has heard of the erasure: every instance hears it at the
   * same moment, so once it is heard here, a lookup anywhere finds the erased document.
   */
  private void afterErasure(OrderErasure.Result result) throws InterruptedException {
    result.erased().forEach(cache::evict);
    if (result.erased().isEmpty()) {
      return;
    }
    String last = result.erased().get(result.erased().size() - 1);
    if (!heard.awaitHeard(last, HEARD_PATIENCE)) {
      LOG.warn(
          "personal data: the erasure of {} orders was not heard back within {}; instances"
              + " whose listener is down drop them from their caches when it is back",
          result.erased().size(),
          HEARD_PATIENCE);
    }
  }

  private static ObjectNode counts(ObjectNode body, OrderErasure.Result result) {
    return body.put("erased", result.erased().size()).put("already_erased", result.alreadyErased());
  }

  private static int limit(String value) {
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= AuditLog.MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw QueryParameters.invalid(
        "limit", "is not 1 to " + AuditLog.MAX_LIMIT, "must be an integer from 1 to 1000");
  }

  private static String customerId(HttpServerExchange exchange) {
    String customerId = OrderEndpoints.pathParameter(exchange, "customer_id");
    if (customerId.isBlank() || customerId.length() > MAX_CUSTOMER_ID) {
      throw new ApiError(
          StatusCodes.BAD_REQUEST,
          Json.error(
              "malformed customer_id",
              List.of(
                  new Violation(
                      "customer_id", "must be 1.." + MAX_CUSTOMER_ID + " characters, not blank"))));
    }
    return customerId;
  }
}
