package dev.orderservice.server;

import static dev.orderservice.domain.OrderCopies.withHeader;
import static dev.orderservice.domain.OrderCopies.withPayment;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.Payment;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The order endpoints over real HTTP, against a server on the test PostgreSQL and Kafka. */
class OrderApiTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final RandomOrders ORDERS = new RandomOrders(4242);

  private static String jdbcUrl;
  private static OrderServer server;
  private static Http http;

  @BeforeAll
  static void startServer() {
    jdbcUrl = TestStack.jdbcUrlWithOwnSchema("api");
    server = TestStack.startServer(jdbcUrl, TestStack.newTopic("api"));
    http = new Http(server);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anUploadedOrderIsReturnedAsItsCanonicalJson() {
    Order order = ORDERS.next();
    assertThat(http.upload(CODEC.encode(order)).statusCode()).isEqualTo(201);

    HttpResponse<byte[]> response = http.get("/orders/" + order.orderUid());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(response.body()).isEqualTo(CODEC.encode(order));
  }

  @Test
  void anOrderTheCacheHasNotSeenIsReadThroughFromTheDatabase() {
    Order order = ORDERS.next();
    try (HikariDataSource pool = OrderDatabase.pool(jdbcUrl, 1, "api-test")) {
      new PostgresOrderStore(pool).saveAll(List.of(CODEC.encoded(order)));
    }

    HttpResponse<byte[]> response = http.get("/orders/" + order.orderUid());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(CODEC.encode(order));
  }

  @Test
  void anUnknownOrderIsNotFoundAndTheAnswerNamesIt() {
    HttpResponse<byte[]> response = http.get("/orders/no-such-order");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Http.text(response))
        .isEqualTo("{\"error\":\"order not found\",\"order_uid\":\"no-such-order\"}");
  }

  @Test
  void aMalformedUidIsABadRequestThatSaysWhatAUidIs() {
    String expected =
        "{\"error\":\"malformed order_uid\",\"violations\":[{\"path\":\"order_uid\","
            + "\"reason\":\"must be 1..64 characters of [A-Za-z0-9_-]\"}]}";

    assertThat(Http.text(http.get("/orders/bad%20uid"))).isEqualTo(expected);
    HttpResponse<byte[]> tooLong = http.get("/orders/" + "a".repeat(65));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(Http.text(tooLong)).isEqualTo(expected);
  }

  @Test
  void theSampleUploadedWithCurlsFormIsCreatedThenADuplicate() {
    byte[] sample = TestStack.sampleBytes();

    HttpResponse<byte[]> created = http.upload(sample);
    HttpResponse<byte[]> again = http.upload(sample);

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Location")).contains("/orders/b563feb7b2b84b6test");
    assertThat(Http.text(created))
        .isEqualTo("{\"order_uid\":\"b563feb7b2b84b6test\",\"status\":\"INSERTED\"}");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().firstValue("Location")).isEmpty();
    assertThat(Http.text(again))
        .isEqualTo("{\"order_uid\":\"b563feb7b2b84b6test\",\"status\":\"DUPLICATE\"}");
    assertThat(http.get("/orders/b563feb7b2b84b6test").body())
        .isEqualTo(CODEC.encode(TestStack.sampleOrder()));
  }

  @Test
  void theSameUidWithOtherContentIsAConflict() {
    Order order = ORDERS.next();
    Order other = ORDERS.next(order.orderUid());
    http.upload(CODEC.encode(order));

    HttpResponse<byte[]> response = http.upload(CODEC.encode(other));

    assertThat(response.statusCode()).isEqualTo(409);
    JsonNode body = Http.json(response);
    assertThat(body.path("error").asText())
        .isEqualTo("order_uid " + order.orderUid() + " is stored with different content");
    assertThat(body.path("order_uid").asText()).isEqualTo(order.orderUid());
    assertThat(body.path("status").asText()).isEqualTo("CONFLICT");
    assertThat(http.get("/orders/" + order.orderUid()).body()).isEqualTo(CODEC.encode(order));
  }

  @Test
  void anInvalidOrderIsABadRequestListingEveryViolation() {
    Order valid = ORDERS.next();
    Payment p = valid.payment();
    Order invalid =
        withPayment(
            valid,
            new Payment(
                p.transaction(),
                p.requestId(),
                "usd",
                p.provider(),
                -1,
                p.paymentDt(),
                p.bank(),
                p.deliveryCost(),
                p.goodsTotal(),
                p.customFee()));

    HttpResponse<byte[]> response = http.upload(CODEC.encode(invalid));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = Http.json(response);
    assertThat(body.path("error").asText()).isEqualTo("invalid order");
    assertThat(body.path("violations").findValuesAsText("path"))
        .containsExactlyInAnyOrder("payment.currency", "payment.amount");
    assertThat(http.get("/orders/" + valid.orderUid()).statusCode()).isEqualTo(404);
  }

  @Test
  void anUndecodableDocumentIsABadRequestSayingWhere() {
    HttpResponse<byte[]> response = http.upload("{\n  \"order_uid\": 5\n}".getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = Http.json(response);
    assertThat(body.path("error").asText()).startsWith("line 2, column ").contains("order_uid");
    assertThat(body.path("violations").isArray()).isTrue();
    assertThat(body.path("violations")).isEmpty();
  }

  @Test
  void aStringThatIsNotUnicodeTextIsABadRequestNamingItsFieldAndNothingIsStored() {
    Order escaped = ORDERS.next();
    Order raw = ORDERS.next();
    byte[] withEscape =
        json(escaped).replace(escaped.delivery().name(), "A\\ud800B").getBytes(UTF_8);
    // A surrogate's bytes (CESU-8): bytes no Java string can hold.
    byte[] withBytes =
        withBytesForNul(
            json(raw).replace(raw.delivery().name(), "A\u0000B"),
            (byte) 0xED,
            (byte) 0xA0,
            (byte) 0x80);

    HttpResponse<byte[]> posted = http.postJson("/orders", withEscape);
    HttpResponse<byte[]> uploaded = http.upload(withBytes);

    assertThat(posted.statusCode()).isEqualTo(400);
    assertThat(Http.json(posted).path("error").asText())
        .startsWith("line 1, column ")
        .endsWith(": delivery.name: is not Unicode text (a lone surrogate)");
    assertThat(uploaded.statusCode()).isEqualTo(400);
    assertThat(Http.json(uploaded).path("error").asText())
        .endsWith(": delivery.name: is not Unicode text (invalid UTF-8)");
    assertThat(http.get("/orders/" + escaped.orderUid()).statusCode()).isEqualTo(404);
    assertThat(http.get("/orders/" + raw.orderUid()).statusCode()).isEqualTo(404);
  }

  @Test
  void anUploadThatIsNotMultipartIsAnUnsupportedMediaType() {
    HttpResponse<byte[]> response =
        http.post("/orders/create", "application/json", TestStack.sampleBytes());

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(Http.text(response))
        .isEqualTo("{\"error\":\"expected multipart/form-data with a file field order_file\"}");
  }

  @Test
  void aFormWithoutTheOrderFileFieldIsABadRequest() {
    HttpResponse<byte[]> response = http.uploadField("file", TestStack.sampleBytes());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Http.json(response).path("error").asText())
        .isEqualTo("expected multipart/form-data with a file field order_file");
  }

  @Test
  void postingJsonWithAnotherContentTypeIsAnUnsupportedMediaType() {
    HttpResponse<byte[]> response = http.post("/orders", "text/plain", CODEC.encode(ORDERS.next()));

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(Http.text(response)).isEqualTo("{\"error\":\"expected application/json\"}");
  }

  @Test
  void oneOrderPostedAsJsonIsCreated() {
    Order order = ORDERS.next();

    HttpResponse<byte[]> response =
        http.post("/orders", "application/json; charset=utf-8", CODEC.encode(order));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().firstValue("Location")).contains("/orders/" + order.orderUid());
    assertThat(http.get("/orders/" + order.orderUid()).body()).isEqualTo(CODEC.encode(order));
  }

  @Test
  void anArrayOfOrdersGetsOneAnswerPerElementInOrder() {
    Order first = ORDERS.next();
    Order second = ORDERS.next();
    Order invalid = ORDERS.next("not a uid");
    String body =
        "["
            + json(first)
            + ", "
            + json(second)
            + ", "
            + json(first)
            + ", "
            + json(invalid)
            + ", {\"order_uid\": \"x1\", \"sm_id\": \"99\"}]";

    HttpResponse<byte[]> response = http.postJson("/orders", body.getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answers = Http.json(response);
    assertThat(answers).hasSize(5);
    assertThat(answers.findValuesAsText("status"))
        .containsExactly("INSERTED", "INSERTED", "DUPLICATE", "INVALID", "INVALID");
    assertThat(answers.get(0).path("order_uid").asText()).isEqualTo(first.orderUid());
    assertThat(answers.get(0).path("violations")).isEmpty();
    assertThat(answers.get(3).path("violations").findValuesAsText("path"))
        .containsExactly("order_uid");
    assertThat(answers.get(4).path("order_uid").asText()).isEqualTo("x1");
    // Where in the request body: the one reader keeps each element's position in the body.
    assertThat(answers.get(4).path("violations").get(0).path("reason").asText())
        .contains("sm_id")
        .startsWith(
            "line 1, column " + byteColumn(body, body.indexOf("\"99\"", body.lastIndexOf("x1"))));
    assertThat(http.get("/orders/" + second.orderUid()).body()).isEqualTo(CODEC.encode(second));
  }

  @Test
  void ndjsonGetsOneAnswerPerLineWithPositionsInTheBody() {
    Order first = ORDERS.next();
    Order second = ORDERS.next();
    String third = "{\"order_uid\": \"x2\", \"sm_id\": \"99\"}";
    String body = json(first) + "\n" + json(second) + "\r\n\n" + third + "\n";

    HttpResponse<byte[]> response =
        http.post("/orders", "application/x-ndjson", body.getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answers = Http.json(response);
    assertThat(answers.findValuesAsText("status"))
        .containsExactly("INSERTED", "INSERTED", "INVALID");
    assertThat(answers.get(2).path("violations").get(0).path("reason").asText())
        .contains("sm_id")
        .startsWith("line 4, column " + byteColumn(third, third.indexOf("\"99\"")));
    assertThat(http.get("/orders/" + second.orderUid()).body()).isEqualTo(CODEC.encode(second));
  }

  @Test
  void aBrokenNdjsonLineIsAnsweredForThatLineOnly() {
    Order good = ORDERS.next();
    String body = "{\"order_uid\": \"b1\",,}\n" + json(good) + "\n";

    HttpResponse<byte[]> response =
        http.post("/orders", "application/x-ndjson", body.getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answers = Http.json(response);
    assertThat(answers.findValuesAsText("status")).containsExactly("INVALID", "INSERTED");
    assertThat(answers.get(0).path("violations").get(0).path("reason").asText())
        .startsWith("line 1, column ");
    assertThat(http.get("/orders/" + good.orderUid()).statusCode()).isEqualTo(200);
  }

  @Test
  void aBrokenArrayIsABadRequestSayingWhere() {
    HttpResponse<byte[]> response =
        http.postJson("/orders", "[\n {\"order_uid\": \"a\"},\n oops]".getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Http.json(response).path("error").asText())
        .isEqualTo("line 3, column 2: the body is not well-formed JSON");
  }

  @Test
  void withoutAFilterTheNewestOrdersAreListedNewestFirstUpToTheLimit() {
    Order a = withCreated(ORDERS.next(), "2999-01-01T10:00:00Z");
    Order b = withCreated(ORDERS.next(), "2999-01-01T12:00:00+01:00");
    Order c = withCreated(ORDERS.next(), "2999-01-01T12:00:00Z");
    for (Order order : List.of(a, b, c)) {
      assertThat(http.postJson("/orders", CODEC.encode(order)).statusCode()).isEqualTo(201);
    }

    HttpResponse<byte[]> response = http.get("/orders?limit=2");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode page = Http.json(response);
    JsonNode list = page.path("orders");
    assertThat(list.findValuesAsText("order_uid")).containsExactly(c.orderUid(), b.orderUid());
    JsonNode newest = list.get(0);
    assertThat(newest.path("track_number").asText()).isEqualTo(c.trackNumber());
    assertThat(newest.path("customer_id").asText()).isEqualTo(c.customerId());
    assertThat(newest.path("date_created").asText()).isEqualTo(c.dateCreated());
    assertThat(newest.path("amount").asInt()).isEqualTo(c.payment().amount());
    assertThat(newest.path("currency").asText()).isEqualTo(c.payment().currency());
    assertThat(newest.path("item_count").asInt()).isEqualTo(c.items().size());
    assertThat(page.path("next").isTextual()).as("more orders match").isTrue();
  }

  @Test
  void aLimitOutsideOneToAHundredIsABadRequest() {
    assertThat(http.get("/orders?limit=0").statusCode()).isEqualTo(400);
    assertThat(http.get("/orders?limit=101").statusCode()).isEqualTo(400);
    assertThat(Http.json(http.get("/orders?limit=many")).path("error").asText())
        .isEqualTo("limit must be 1..100");
    assertThat(http.get("/orders?limit=100").statusCode()).isEqualTo(200);
    assertThat(http.get("/orders").statusCode()).isEqualTo(200);
  }

  @Test
  void theLiveFeedRoutesWinOverAnOrderUidOfTheSameName() {
    Order named = ORDERS.next("stream");
    assertThat(http.postJson("/orders", CODEC.encode(named)).statusCode()).isEqualTo(201);

    HttpResponse<byte[]> events = http.get("/orders/events?wait=0");
    assertThat(events.statusCode()).isEqualTo(200);
    assertThat(Http.json(events).has("last_id")).isTrue();
    try (EventStream stream = EventStream.open(server)) {
      assertThat(stream.response().statusCode()).isEqualTo(200);
      assertThat(stream.response().headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    }
    assertThat(http.get("/orders/streams").statusCode()).as("another uid").isEqualTo(404);
    JsonNode found = Http.json(http.get("/orders?track_number=" + named.trackNumber()));
    assertThat(found.path("orders").findValuesAsText("order_uid")).containsExactly("stream");
  }

  @Test
  void anUnknownPathIsNotFound() {
    HttpResponse<byte[]> response = http.get("/nothing/here");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Http.text(response)).isEqualTo("{\"error\":\"no such endpoint\"}");
  }

  private static Order withCreated(Order order, String dateCreated) {
    return withHeader(order, order.trackNumber(), order.entry(), dateCreated);
  }

  private static String json(Order order) {
    return new String(CODEC.encode(order), UTF_8);
  }

  /** {@code json} in UTF-8, its first NUL replaced by {@code bytes}. */
  private static byte[] withBytesForNul(String json, byte... bytes) {
    byte[] utf8 = json.getBytes(UTF_8);
    int at = 0;
    while (utf8[at] != 0) {
      at++;
    }
    byte[] spliced = new byte[utf8.length - 1 + bytes.length];
    System.arraycopy(utf8, 0, spliced, 0, at);
    System.arraycopy(bytes, 0, spliced, at, bytes.length);
    System.arraycopy(utf8, at + 1, spliced, at + bytes.length, utf8.length - at - 1);
    return spliced;
  }

  /** The 1-based column, counted in UTF-8 bytes as the JSON parser counts, of a char index. */
  private static int byteColumn(String oneLine, int charIndex) {
    return oneLine.substring(0, charIndex).getBytes(UTF_8).length + 1;
  }
}
