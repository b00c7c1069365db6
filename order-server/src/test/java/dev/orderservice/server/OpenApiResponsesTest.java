package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderservice.server.http.ErrorMapping;
import dev.orderservice.server.http.HealthEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real answers of every status the tests can provoke, checked against the OpenAPI document: the
 * status is documented for the route, the required headers are there, and the body validates
 * against the documented schema. Two servers: one open, one with {@code API_TOKEN} and {@code
 * PROTECT_READS} set (for 401). Not provoked here: 500 (a defect) and 503 (the database down, every
 * worker busy; {@code /readyz} not ready), which the document describes from {@link ErrorMapping}
 * and {@link HealthEndpoints}.
 */
class OpenApiResponsesTest {

  private static final String TOKEN = "contract-t0ken";
  private static final int OVER_THE_LIMIT = 5 * 1024 * 1024;

  private static OrderServer open;
  private static OrderServer guarded;
  private static Http http;
  private static OpenApiContract contract;

  @BeforeAll
  static void startServers() {
    open =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("openapi"), TestStack.newTopic("openapi"));
    guarded =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("openapi_token"),
            TestStack.newTopic("openapi_token"),
            "--api-token",
            TOKEN,
            "--protect-reads",
            "true");
    http = new Http(open);
    contract = OpenApiContract.servedBy(open);
  }

  @AfterAll
  static void stopServers() {
    if (open != null) {
      open.close();
    }
    if (guarded != null) {
      guarded.close();
    }
  }

  @Test
  void anOrderLookupAnswersAsDocumented() {
    String uid = TestStack.uniqueName("lookup");
    expect(201, "POST", "/orders", http.postJson("/orders", bytes(order(uid))));

    expect(200, "GET", "/orders/{order_uid}", http.get("/orders/" + uid));
    expect(404, "GET", "/orders/{order_uid}", http.get("/orders/no-such-order"));
    expect(400, "GET", "/orders/{order_uid}", http.get("/orders/bad%20uid"));
  }

  @Test
  void theSearchAnswersAsDocumented() {
    expect(201, "POST", "/orders", http.postJson("/orders", bytes(order(unique()))));
    expect(201, "POST", "/orders", http.postJson("/orders", bytes(order(unique()))));
    HttpResponse<byte[]> first = http.get("/orders?limit=1");
    String next = Http.json(first).path("next").asText();

    expect(200, "GET", "/orders", first);
    expect(200, "GET", "/orders", http.get("/orders"));
    expect(200, "GET", "/orders", http.get("/orders?limit=1&cursor=" + next));
    expect(
        200,
        "GET",
        "/orders",
        http.get(
            "/orders?customer_id=test&track_number=WBILMTESTTRACK"
                + "&from=2021-11-26T00:00:00Z&to=2021-11-27T00:00:00%2B03:00&limit=100"));
    expect(400, "GET", "/orders", http.get("/orders?limit=0"));
    expect(400, "GET", "/orders", http.get("/orders?limit=many"));
    expect(400, "GET", "/orders", http.get("/orders?from=2021-11-26T00:00:00"));
    expect(
        400,
        "GET",
        "/orders",
        http.get("/orders?from=2021-11-27T00:00:00Z" + "&to=2021-11-26T00:00:00Z"));
    expect(400, "GET", "/orders", http.get("/orders?customer_id=a&customer_id=b"));
    expect(400, "GET", "/orders", http.get("/orders?track_number="));
    expect(400, "GET", "/orders", http.get("/orders?cursor=forged"));
    expect(400, "GET", "/orders", http.get("/orders?customer_id=other&cursor=" + next));
    expect(400, "GET", "/orders", http.get("/orders?sort=newest"));
  }

  @Test
  void theLiveFeedAnswersAsDocumented() {
    HttpResponse<byte[]> nothing = http.get("/orders/events?wait=0");
    String lastId = Http.json(nothing).path("last_id").asText();
    expect(201, "POST", "/orders", http.postJson("/orders", bytes(order(unique()))));

    expect(200, "GET", "/orders/events", nothing);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Http.json(http.get("/orders/events?wait=0&after=" + lastId)).path("events").size()
                    > 0);
    expect(200, "GET", "/orders/events", http.get("/orders/events?wait=1&after=" + lastId));
    expect(200, "GET", "/orders/events", http.get("/orders/events?after=zzzzzzzz-1"));
    expect(400, "GET", "/orders/events", http.get("/orders/events?after=latest"));
    expect(400, "GET", "/orders/events", http.get("/orders/events?wait=31"));
    expect(400, "GET", "/orders/events", http.get("/orders/events?since=1"));
    check(200, "GET", "/orders/stream", streamStart(open, ""));
    check(200, "GET", "/orders/stream", streamStart(open, "", "Last-Event-ID", lastId));
    expect(400, "GET", "/orders/stream", http.get("/orders/stream?after=" + lastId));
  }

  @Test
  void postingJsonAnswersAsDocumented() {
    ObjectNode order = order(unique());
    String post = "/orders";

    expect(201, "POST", post, http.postJson(post, bytes(order)));
    expect(200, "POST", post, http.postJson(post, bytes(order)));
    expect(409, "POST", post, http.postJson(post, bytes(order.deepCopy().put("locale", "ru"))));
    expect(400, "POST", post, http.postJson(post, bytes(invalid(order(unique())))));
    expect(400, "POST", post, http.postJson(post, "{\n  \"order_uid\": 5\n}".getBytes(UTF_8)));
    expect(
        400,
        "POST",
        post,
        http.postJson(post, "[\n {\"order_uid\": \"a\"},\n oops]".getBytes(UTF_8)));
    expect(415, "POST", post, http.post(post, "text/plain", bytes(order)));
    check(413, "POST", post, overTheLimit(post, "application/json"));
  }

  @Test
  void postingAnArrayAnswersWithOneDocumentedResultPerElement() {
    ObjectNode stored = order(unique());
    expect(201, "POST", "/orders", http.postJson("/orders", bytes(stored)));
    String body =
        "["
            + stored
            + ", "
            + order(unique())
            + ", "
            + stored.deepCopy().put("locale", "ru")
            + ", "
            + invalid(order(unique()))
            + ", "
            + "{\"order_uid\": \"x1\", \"sm_id\": \"99\"}]";

    HttpResponse<byte[]> response = http.postJson("/orders", body.getBytes(UTF_8));

    expect(200, "POST", "/orders", response);
    assertThat(Http.json(response).findValuesAsText("status"))
        .containsExactly("DUPLICATE", "INSERTED", "CONFLICT", "INVALID", "INVALID");
  }

  @Test
  void postingNdjsonAnswersWithOneDocumentedResultPerLine() {
    String body = order(unique()) + "\n" + "{\"order_uid\": \"x2\", \"sm_id\": \"99\"}\n";

    HttpResponse<byte[]> response =
        http.post("/orders", "application/x-ndjson", body.getBytes(UTF_8));

    expect(200, "POST", "/orders", response);
    assertThat(Http.json(response).findValuesAsText("status"))
        .containsExactly("INSERTED", "INVALID");
  }

  @Test
  void uploadingAFileAnswersAsDocumented() {
    ObjectNode order = order(unique());
    String upload = "/orders/create";

    expect(201, "POST", upload, http.upload(bytes(order)));
    expect(200, "POST", upload, http.upload(bytes(order)));
    expect(409, "POST", upload, http.upload(bytes(order.deepCopy().put("locale", "ru"))));
    expect(400, "POST", upload, http.upload(bytes(invalid(order(unique())))));
    expect(400, "POST", upload, http.upload("{\n  \"order_uid\": 5\n}".getBytes(UTF_8)));
    expect(400, "POST", upload, http.uploadField("file", bytes(order(unique()))));
    expect(415, "POST", upload, http.post(upload, "application/json", bytes(order)));
    check(413, "POST", upload, overTheLimit(upload, "multipart/form-data; boundary=b"));
  }

  @Test
  void writesWithoutTheTokenAreUnauthorizedAsDocumentedAndWithItSucceed() {
    Http guardedHttp = new Http(guarded);
    String bearer = "Bearer " + TOKEN;

    expect(401, "POST", "/orders", guardedHttp.postJson("/orders", bytes(order(unique()))));
    expect(401, "POST", "/orders/create", guardedHttp.upload(bytes(order(unique()))));
    expect(
        401,
        "POST",
        "/orders/create",
        guardedHttp.upload(bytes(order(unique())), "Authorization", bearer + "x"));
    expect(
        201,
        "POST",
        "/orders",
        guardedHttp.postJson("/orders", bytes(order(unique())), "Authorization", bearer));
    expect(
        201,
        "POST",
        "/orders/create",
        guardedHttp.upload(bytes(order(unique())), "Authorization", bearer));
  }

  @Test
  void readsWithoutTheTokenAreUnauthorizedAsDocumentedWhenProtectedAndWithItSucceed() {
    Http guardedHttp = new Http(guarded);
    String bearer = "Bearer " + TOKEN;
    String uid = unique();
    expect(
        201,
        "POST",
        "/orders",
        guardedHttp.postJson("/orders", bytes(order(uid)), "Authorization", bearer));

    expect(401, "GET", "/orders/{order_uid}", guardedHttp.get("/orders/" + uid));
    expect(401, "GET", "/orders", guardedHttp.get("/orders"));
    expect(401, "GET", "/orders/stream", guardedHttp.get("/orders/stream"));
    expect(401, "GET", "/orders/events", guardedHttp.get("/orders/events?wait=0"));
    expect(
        401,
        "GET",
        "/orders/events",
        guardedHttp.get("/orders/events?wait=0", "Authorization", bearer + "x"));
    expect(
        200,
        "GET",
        "/orders/{order_uid}",
        guardedHttp.get("/orders/" + uid, "Authorization", bearer));
    expect(200, "GET", "/orders", guardedHttp.get("/orders", "Authorization", bearer));
    expect(
        200,
        "GET",
        "/orders/events",
        guardedHttp.get("/orders/events?wait=0", "Authorization", bearer));
    check(200, "GET", "/orders/stream", streamStart(guarded, "", "Authorization", bearer));
  }

  @Test
  void thePersonalDataRoutesAnswerAsDocumented() {
    Http guardedHttp = new Http(guarded);
    String bearer = "Bearer " + TOKEN;
    String uid = unique();
    String customer = "contract-customer-" + uid;
    expect(
        201,
        "POST",
        "/orders",
        guardedHttp.postJson(
            "/orders", bytes(order(uid).put("customer_id", customer)), "Authorization", bearer));
    String erase = "/orders/{order_uid}/erase";
    String eraseCustomer = "/customers/{customer_id}/erase";
    String export = "/customers/{customer_id}/orders.ndjson";
    byte[] none = new byte[0];

    expect(
        200,
        "GET",
        export,
        guardedHttp.get("/customers/" + customer + "/orders.ndjson", "Authorization", bearer));
    expect(
        404,
        "GET",
        export,
        guardedHttp.get("/customers/nobody/orders.ndjson", "Authorization", bearer));
    expect(
        200,
        "POST",
        erase,
        guardedHttp.postJson("/orders/" + uid + "/erase", none, "Authorization", bearer));
    expect(
        404,
        "POST",
        erase,
        guardedHttp.postJson("/orders/no-such-order/erase", none, "Authorization", bearer));
    expect(
        400,
        "POST",
        erase,
        guardedHttp.postJson("/orders/bad%20uid/erase", none, "Authorization", bearer));
    expect(
        200,
        "POST",
        eraseCustomer,
        guardedHttp.postJson("/customers/" + customer + "/erase", none, "Authorization", bearer));
    expect(
        404,
        "POST",
        eraseCustomer,
        guardedHttp.postJson("/customers/nobody/erase", none, "Authorization", bearer));
    expect(200, "GET", "/audit", guardedHttp.get("/audit?limit=5", "Authorization", bearer));
    expect(400, "GET", "/audit", guardedHttp.get("/audit?limit=0", "Authorization", bearer));
    expect(401, "GET", "/audit", guardedHttp.get("/audit"));
    expect(401, "POST", erase, guardedHttp.postJson("/orders/" + uid + "/erase", none));
    // Without API_TOKEN they are refused, not open.
    expect(403, "POST", erase, http.postJson("/orders/" + uid + "/erase", none));
    expect(403, "POST", eraseCustomer, http.postJson("/customers/" + customer + "/erase", none));
    expect(403, "GET", export, http.get("/customers/" + customer + "/orders.ndjson"));
    expect(403, "GET", "/audit", http.get("/audit"));
  }

  @Test
  void healthReadinessAndMetricsAnswerAsDocumented() {
    expect(200, "GET", "/healthz", http.get("/healthz"));
    await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").statusCode() == 200);
    expect(200, "GET", "/readyz", http.get("/readyz"));
    expect(200, "GET", "/metrics", http.get("/metrics"));
  }

  @Test
  void theLookupPageAndItsFilesAnswerAsDocumented() {
    OpenApiContract.Answer page = contract.get("");
    check(200, "GET", "/", page);
    check(
        304,
        "GET",
        "/",
        contract.get("", "If-Modified-Since", page.header("Last-Modified").orElseThrow()));
    check(200, "GET", "/assets/{path}", contract.get("assets/app.js"));
    check(200, "GET", "/assets/{path}", contract.get("assets/app.css"));
    check(404, "GET", "/assets/{path}", contract.get("assets/nothing.js"));
  }

  @Test
  void theDocsPageAndItsFilesAnswerAsDocumented() {
    OpenApiContract.Answer page = contract.get("docs");
    check(200, "GET", "/docs", page);
    check(
        304,
        "GET",
        "/docs",
        contract.get("docs", "If-None-Match", page.header("ETag").orElseThrow()));
    List<String> files = new ArrayList<>();
    contract
        .document()
        .at("/paths/~1docs~1{file}/get/parameters/0/schema/enum")
        .forEach(file -> files.add(file.asText()));
    assertThat(files).isNotEmpty();
    for (String file : files) {
      OpenApiContract.Answer answer = contract.get("docs/" + file);
      check(200, "GET", "/docs/{file}", answer);
      check(
          304,
          "GET",
          "/docs/{file}",
          contract.get("docs/" + file, "If-None-Match", answer.header("ETag").orElseThrow()));
    }
    check(404, "GET", "/docs/{file}", contract.get("docs/swagger-initializer.js"));
  }

  private static void expect(
      int status, String method, String path, HttpResponse<byte[]> response) {
    check(status, method, path, OpenApiContract.Answer.of(response));
  }

  private static void check(int status, String method, String path, OpenApiContract.Answer answer) {
    assertThat(answer.status()).as("%s %s: %s", method, path, answer.text()).isEqualTo(status);
    contract.assertConforms(method, path, answer);
  }

  private static String unique() {
    return TestStack.uniqueName("contract");
  }

  /** The sample order with another uid. */
  private static ObjectNode order(String uid) {
    try {
      return ((ObjectNode) Http.JSON.readTree(TestStack.sampleBytes())).put("order_uid", uid);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code order} breaking two rules: a lower-case currency and a negative amount. */
  private static ObjectNode invalid(ObjectNode order) {
    ((ObjectNode) order.path("payment")).put("currency", "usd").put("amount", -1);
    return order;
  }

  private static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(UTF_8);
  }

  /**
   * The start of a stream: its status, headers and first block ({@code retry}), read and then
   * closed, as the stream itself does not end.
   */
  private static OpenApiContract.Answer streamStart(
      OrderServer server, String query, String... headers) {
    try (EventStream stream = EventStream.open(server.baseUri(), query, headers)) {
      EventStream.Event retry = stream.awaitStart().get(0);
      return new OpenApiContract.Answer(
          stream.response().statusCode(),
          stream.response().headers().map(),
          ("retry:" + retry.retry() + "\n\n").getBytes(UTF_8));
    }
  }

  /**
   * A POST whose Content-Length is over the limit, sent over a raw socket without its body: the
   * server answers from the header alone and closes the connection, which an HTTP client still
   * writing the body may see as a failure instead of the answer.
   */
  private static OpenApiContract.Answer overTheLimit(String path, String contentType) {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(30_000);
      socket.connect(new InetSocketAddress("127.0.0.1", open.httpPort()), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                  + contentType
                  + "\r\nContent-Length: "
                  + OVER_THE_LIMIT
                  + "\r\n\r\n")
              .getBytes(US_ASCII));
      out.flush();
      return parse(readAnswer(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads until the server closes the connection, keeping what arrived before a reset. */
  private static byte[] readAnswer(InputStream in) {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        answer.write(buffer, 0, n);
      }
    } catch (IOException reset) {
      // the answer is in already
    }
    return answer.toByteArray();
  }

  private static OpenApiContract.Answer parse(byte[] raw) {
    String text = new String(raw, UTF_8);
    int endOfHead = text.indexOf("\r\n\r\n");
    String[] head = text.substring(0, endOfHead).split("\r\n");
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < head.length; i++) {
      int colon = head[i].indexOf(':');
      headers
          .computeIfAbsent(head[i].substring(0, colon).strip(), name -> new ArrayList<>())
          .add(head[i].substring(colon + 1).strip());
    }
    int status = Integer.parseInt(head[0].split(" ")[1]);
    return new OpenApiContract.Answer(
        status, headers, text.substring(endOfHead + 4).getBytes(UTF_8));
  }
}
