package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code PROTECT_READS=true} every read of orders wants the bearer token, as writes do; the
 * page, health, metrics and the contract stay open.
 */
class ProtectReadsTest {

  private static final String TOKEN = "r3ad-t0ken";
  private static final String BEARER = "Bearer " + TOKEN;
  private static final String UNAUTHORIZED = "{\"error\":\"missing or wrong bearer token\"}";
  private static final List<String> READS =
      List.of("/orders/%s", "/orders?limit=5", "/orders/stream", "/orders/events?wait=0");

  private static OrderServer server;
  private static Http http;
  private static Order stored;

  @BeforeAll
  static void startServer() {
    server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("protect"),
            TestStack.newTopic("protect"),
            "--api-token",
            TOKEN,
            "--protect-reads",
            "true");
    http = new Http(server);
    stored = new RandomOrders(31).next();
    assertThat(
            http.postJson("/orders", OrderCodec.standard().encode(stored), "Authorization", BEARER)
                .statusCode())
        .isEqualTo(201);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyReadOfOrdersWithoutTheTokenIsUnauthorizedLikeAWrite() {
    for (String read : reads()) {
      HttpResponse<byte[]> response = http.get(read);

      assertThat(response.statusCode()).as(read).isEqualTo(401);
      assertThat(Http.text(response)).as(read).isEqualTo(UNAUTHORIZED);
      assertThat(response.headers().firstValue("WWW-Authenticate")).as(read).contains("Bearer");
    }
  }

  @Test
  void everyReadOfOrdersWithAnotherTokenIsUnauthorized() {
    for (String read : reads()) {
      assertThat(http.get(read, "Authorization", BEARER + "x").statusCode())
          .as(read)
          .isEqualTo(401);
    }
  }

  @Test
  void everyReadOfOrdersWithTheTokenSucceeds() {
    assertThat(http.get("/orders/" + stored.orderUid(), "Authorization", BEARER).body())
        .isEqualTo(OrderCodec.standard().encode(stored));
    assertThat(
            Http.json(http.get("/orders?limit=5", "Authorization", BEARER))
                .path("orders")
                .findValuesAsText("order_uid"))
        .contains(stored.orderUid());
    assertThat(http.get("/orders/events?wait=0", "Authorization", BEARER).statusCode())
        .isEqualTo(200);
    try (EventStream stream = EventStream.open(server, "Authorization", BEARER)) {
      assertThat(stream.response().statusCode()).isEqualTo(200);
      assertThat(stream.awaitStart().get(0).retry()).isEqualTo("2000");
    }
  }

  @Test
  void thePageHealthMetricsAndTheContractStayOpen() {
    for (String open :
        List.of(
            "/",
            "/assets/app.js",
            "/healthz",
            "/metrics",
            "/schema/order.json",
            "/openapi.json",
            "/docs")) {
      assertThat(http.get(open).statusCode()).as(open).isEqualTo(200);
    }
    assertThat(http.get("/readyz").statusCode()).isIn(200, 503);
  }

  private static List<String> reads() {
    return READS.stream().map(read -> read.formatted(stored.orderUid())).toList();
  }
}
