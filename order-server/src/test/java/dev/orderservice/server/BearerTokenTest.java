package dev.orderservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With API_TOKEN set, the write endpoints want {@code Authorization: Bearer <token>}. */
class BearerTokenTest {

  private static final String TOKEN = "s3cret-t0ken";
  private static final String UNAUTHORIZED = "{\"error\":\"missing or wrong bearer token\"}";
  private static final RandomOrders ORDERS = new RandomOrders(99);

  private static OrderServer server;
  private static Http http;

  @BeforeAll
  static void startServer() {
    server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("token"),
            TestStack.newTopic("token"),
            "--api-token",
            TOKEN);
    http = new Http(server);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aWriteWithoutATokenIsUnauthorizedAndStoresNothing() {
    Order order = ORDERS.next();

    HttpResponse<byte[]> upload = http.upload(encode(order));
    HttpResponse<byte[]> post = http.postJson("/orders", encode(order));

    assertThat(upload.statusCode()).isEqualTo(401);
    assertThat(Http.text(upload)).isEqualTo(UNAUTHORIZED);
    assertThat(upload.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(post.statusCode()).isEqualTo(401);
    assertThat(http.get("/orders/" + order.orderUid()).statusCode()).isEqualTo(404);
  }

  @Test
  void aWriteWithTheWrongTokenIsUnauthorized() {
    Order order = ORDERS.next();

    assertThat(http.upload(encode(order), "Authorization", "Bearer " + TOKEN + "x").statusCode())
        .isEqualTo(401);
    assertThat(
            http.postJson("/orders", encode(order), "Authorization", "Basic " + TOKEN).statusCode())
        .isEqualTo(401);
    assertThat(http.postJson("/orders", encode(order), "Authorization", "Bearer").statusCode())
        .isEqualTo(401);
  }

  @Test
  void aWriteWithTheRightTokenSucceeds() {
    Order uploaded = ORDERS.next();
    Order posted = ORDERS.next();

    assertThat(http.upload(encode(uploaded), "Authorization", "Bearer " + TOKEN).statusCode())
        .isEqualTo(201);
    assertThat(
            http.postJson("/orders", encode(posted), "Authorization", "bearer " + TOKEN)
                .statusCode())
        .isEqualTo(201);
  }

  @Test
  void readsNeedNoToken() {
    Order order = ORDERS.next();
    http.upload(encode(order), "Authorization", "Bearer " + TOKEN);

    assertThat(http.get("/orders/" + order.orderUid()).statusCode()).isEqualTo(200);
    assertThat(http.get("/orders?limit=1").statusCode()).isEqualTo(200);
    assertThat(http.get("/orders/events?wait=0").statusCode()).isEqualTo(200);
    try (EventStream stream = EventStream.open(server)) {
      assertThat(stream.response().statusCode()).isEqualTo(200);
    }
    assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
  }

  private static byte[] encode(Order order) {
    return OrderCodec.standard().encode(order);
  }
}
