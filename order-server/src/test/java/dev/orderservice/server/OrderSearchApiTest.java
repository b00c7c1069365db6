package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.server.http.SearchParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /orders} over HTTP: how each query parameter maps to the search, how pages are walked,
 * and every way a query is refused. The SQL itself is order-persistence's to test.
 */
class OrderSearchApiTest {

  private static final RandomOrders ORDERS = new RandomOrders(777);
  private static final String ECHO = "ECHO<script>";

  /** DB_POOL_SIZE's default: the test server sets none. */
  private static final int DEFAULT_POOL = 8;

  private static OrderServer server;
  private static Http http;

  /** Customer A's orders, newest first: six, an hour apart, written in three offsets. */
  private static final List<ObjectNode> customerA = new ArrayList<>();

  /** Customer B's orders: two, one of them at the same instant as one of A's. */
  private static final List<ObjectNode> customerB = new ArrayList<>();

  @BeforeAll
  static void startServerWithOrders() {
    server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("search"), TestStack.newTopic("search"));
    http = new Http(server);
    // 2024-03-10T15:00Z down to 10:00Z, each written with another offset.
    String[] created = {
      "2024-03-10T15:00:00Z",
      "2024-03-10T17:00:00+03:00",
      "2024-03-10T09:00:00-04:00",
      "2024-03-10T12:00:00Z",
      "2024-03-10T14:00:00+03:00",
      "2024-03-10T10:00:00Z",
    };
    for (int i = 0; i < created.length; i++) {
      customerA.add(order("cust-A", i % 2 == 0 ? "TRK-1" : "TRK-10", created[i]));
    }
    customerB.add(order("cust-B", "TRK-1", "2024-03-10T12:00:00Z"));
    customerB.add(order("cust-B", "TRK-2", "2024-03-09T23:59:59.999999Z"));
    List<ObjectNode> all = new ArrayList<>(customerA);
    all.addAll(customerB);
    HttpResponse<byte[]> stored = http.postJson("/orders", all.toString().getBytes(UTF_8));
    assertThat(Http.json(stored).findValuesAsText("status")).containsOnly("INSERTED");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void withoutAFilterTheNewestOrdersComeFirstInAnObjectWithOrders() {
    JsonNode page = search("limit=3");

    assertThat(uids(page))
        .containsExactly(uid(customerA.get(0)), uid(customerA.get(1)), uid(customerA.get(2)));
    assertThat(page.path("next").isTextual()).isTrue();
  }

  @Test
  void aSummaryHasTheSevenFieldsOfTheOrder() {
    ObjectNode newest = customerA.get(0);

    JsonNode summary = search("limit=1").path("orders").get(0);

    assertThat(summary.path("order_uid").asText()).isEqualTo(uid(newest));
    assertThat(summary.path("track_number").asText()).isEqualTo("TRK-1");
    assertThat(summary.path("customer_id").asText()).isEqualTo("cust-A");
    assertThat(summary.path("date_created").asText()).isEqualTo("2024-03-10T15:00:00Z");
    assertThat(summary.path("amount").asInt()).isEqualTo(newest.at("/payment/amount").asInt());
    assertThat(summary.path("currency").asText())
        .isEqualTo(newest.at("/payment/currency").asText());
    assertThat(summary.path("item_count").asInt()).isEqualTo(newest.path("items").size());
    assertThat(fieldNames(summary))
        .containsExactly(
            "order_uid",
            "track_number",
            "customer_id",
            "date_created",
            "amount",
            "currency",
            "item_count");
  }

  @Test
  void aCustomerIdMatchesExactly() {
    assertThat(uids(search("customer_id=cust-B"))).containsExactlyElementsOf(uids(customerB));
    assertThat(uids(search("customer_id=cust-"))).isEmpty();
    assertThat(uids(search("customer_id=CUST-B"))).isEmpty();
  }

  @Test
  void aTrackNumberMatchesExactlyNotAsAPrefix() {
    assertThat(uids(search("track_number=TRK-10")))
        .containsExactly(uid(customerA.get(1)), uid(customerA.get(3)), uid(customerA.get(5)));
    assertThat(uids(search("track_number=TRK-1")))
        .containsExactly(
            uid(customerA.get(0)),
            uid(customerA.get(2)),
            uid(customerB.get(0)),
            uid(customerA.get(4)));
  }

  @Test
  void fromIsInclusiveAndToExclusiveComparedAsInstantsWhateverTheOffsets() {
    // From 13:00Z (A[2], written 09:00-04:00: in) to 18:00+03:00, which is 15:00Z (A[0]: out).
    JsonNode page =
        search(
            "customer_id=cust-A&from="
                + encode("2024-03-10T13:00:00Z")
                + "&to="
                + encode("2024-03-10T18:00:00+03:00"));

    assertThat(uids(page)).containsExactly(uid(customerA.get(1)), uid(customerA.get(2)));
    assertThat(uids(search("customer_id=cust-A&from=" + encode("2024-03-10T08:00:00-05:00"))))
        .as("from 13:00Z, inclusive")
        .containsExactly(uid(customerA.get(0)), uid(customerA.get(1)), uid(customerA.get(2)));
    assertThat(uids(search("customer_id=cust-A&to=" + encode("2024-03-10T11:00:00Z"))))
        .as("to 11:00Z, exclusive: not A[4] at 11:00Z")
        .containsExactly(uid(customerA.get(5)));
  }

  @Test
  void aPlusThatWasNotPercentEncodedIsReadAsPlus() {
    assertThat(uids(search("customer_id=cust-A&from=2024-03-10T17:00:00+03:00")))
        .containsExactly(uid(customerA.get(0)), uid(customerA.get(1)));
  }

  @Test
  void anEmptyRangeMatchesNothing() {
    String at = encode("2024-03-10T12:00:00Z");

    assertThat(uids(search("from=" + at + "&to=" + at))).isEmpty();
  }

  @Test
  void filtersCombine() {
    JsonNode page =
        search("customer_id=cust-B&track_number=TRK-1&from=" + encode("2024-03-10T00:00:00Z"));

    assertThat(uids(page)).containsExactly(uid(customerB.get(0)));
  }

  @Test
  void walkingThePagesWithNextGivesEveryMatchOnceNewestFirstAndTheLastPageHasNoNext() {
    List<String> walked = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String query = "customer_id=cust-A&limit=4";
    JsonNode page = search(query);
    while (true) {
      sizes.add(page.path("orders").size());
      walked.addAll(uids(page));
      if (!page.has("next")) {
        break;
      }
      page = search(query + "&cursor=" + encode(page.path("next").asText()));
    }

    assertThat(walked).containsExactlyElementsOf(uids(customerA));
    assertThat(sizes).containsExactly(4, 2);
  }

  @Test
  void aCursorOutlivesAChangeOfLimitButNotOfFilters() {
    String next = search("customer_id=cust-A&limit=2").path("next").asText();

    assertThat(uids(search("customer_id=cust-A&limit=3&cursor=" + encode(next))))
        .containsExactly(uid(customerA.get(2)), uid(customerA.get(3)), uid(customerA.get(4)));
    expectBadRequest(
        "customer_id=cust-B&cursor=" + encode(next),
        "cursor is not one that this search returned",
        "cursor");
  }

  @Test
  void aLimitOutsideOneToAHundredOrNotAWholeNumberIsABadRequest() {
    for (String limit : List.of("0", "101", "-1", "many", "1.5", "99999999999")) {
      expectBadRequest("limit=" + limit, "limit must be 1..100", "limit");
    }
    assertThat(search("limit=100").path("orders")).hasSize(customerA.size() + customerB.size());
  }

  @Test
  void aDateTimeWithoutAnOffsetOrNotADateTimeIsABadRequest() {
    for (String value :
        List.of(
            "2024-03-10T12:00:00",
            "2024-03-10",
            "12:00:00Z",
            "yesterday",
            ECHO,
            "+12024-03-10T12:00:00Z",
            "2024-02-30T12:00:00Z")) {
      expectBadRequest(
          "from=" + encode(value), "from is not an ISO-8601 date-time with an offset", "from");
      expectBadRequest(
          "to=" + encode(value), "to is not an ISO-8601 date-time with an offset", "to");
    }
  }

  @Test
  void fromAfterToIsABadRequest() {
    expectBadRequest(
        "from=" + encode("2024-03-10T12:00:00Z") + "&to=" + encode("2024-03-10T14:59:59+03:00"),
        "from is after to",
        "from");
  }

  @Test
  void anUnknownParameterIsABadRequestNamingTheKnownOnesButNotIt() {
    for (String query : List.of("limits=5", encode(ECHO) + "=1", "order_uid=x", "after=1")) {
      HttpResponse<byte[]> response = http.get("/orders?" + query);

      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(Http.text(response))
          .isEqualTo(
              "{\"error\":\"unknown query parameter: GET /orders takes track_number, customer_id,"
                  + " from, to, limit and cursor\",\"violations\":[]}");
    }
  }

  @Test
  void theCacheBusterThatJQueryAndFetchPolyfillsAddIsIgnored() {
    assertThat(uids(search("customer_id=cust-B&_=1764512345678")))
        .containsExactlyElementsOf(uids(customerB));
    assertThat(search("_=1&_=2&limit=1").path("orders")).hasSize(1);
  }

  @Test
  void aParameterGivenTwiceIsABadRequest() {
    expectBadRequest(
        "customer_id=cust-A&customer_id=cust-B",
        "customer_id is given more than once",
        "customer_id");
    expectBadRequest("limit=2&limit=2", "limit is given more than once", "limit");
  }

  @Test
  void anEmptyParameterIsABadRequest() {
    for (String name : SearchParameters.PARAMETERS) {
      expectBadRequest(name + "=", name + " is empty", name);
    }
    expectBadRequest("track_number", "track_number is empty", "track_number");
  }

  @Test
  void aMadeUpCursorIsABadRequestThatDoesNotRepeatIt() {
    for (String cursor :
        List.of(
            ECHO, "YzEuMS4xLjAxMjM0NTY3ODlhYmNkZWY", "x".repeat(SearchParameters.MAX_CURSOR + 1))) {
      expectBadRequest(
          "cursor=" + encode(cursor), "cursor is not one that this search returned", "cursor");
    }
  }

  @Test
  void aTrackNumberOrCustomerIdOverTwoHundredFiftySixCharactersOrWithControlsIsABadRequest() {
    assertThat(uids(search("track_number=" + "t".repeat(256)))).isEmpty();
    expectBadRequest(
        "track_number=" + "t".repeat(257),
        "track_number is longer than 256 characters",
        "track_number");
    expectBadRequest(
        "customer_id=" + "c".repeat(300),
        "customer_id is longer than 256 characters",
        "customer_id");
    expectBadRequest(
        "customer_id=a%00b", "customer_id contains a control character", "customer_id");
  }

  @Test
  void noBadRequestRepeatsTheValueThatWasSent() {
    for (String query :
        List.of("from=", "to=", "limit=", "cursor=", "track_number=", "customer_id=")) {
      HttpResponse<byte[]> response = http.get("/orders?" + query + encode(ECHO + "\u0001"));

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(Http.text(response)).doesNotContain("ECHO").doesNotContain("script");
    }
  }

  /** {@code GET /orders?query}, asserted 200. */
  @Test
  void searchesRunOnTheirOwnThreadsWithConnectionsOfTheirOwn() {
    Scrape before = Scrape.parse(Http.text(http.get("/metrics")));
    search("customer_id=cust-A");
    search("customer_id=cust-B");

    Scrape after = Scrape.parse(Http.text(http.get("/metrics")));
    int searchers =
        RequestThreads.searchers(DEFAULT_POOL, Runtime.getRuntime().availableProcessors());
    assertThat(after.value("executor_pool_max_threads", "name", "order-search"))
        .isEqualTo(searchers);
    assertThat(
            after.value("executor_completed_tasks_total", "name", "order-search")
                - before.value("executor_completed_tasks_total", "name", "order-search"))
        .isGreaterThanOrEqualTo(2);
    assertThat(after.value("hikaricp_connections_max", "pool", "order-server-search"))
        .isEqualTo(searchers);
    assertThat(after.value("hikaricp_connections_max", "pool", "order-server"))
        .isEqualTo(DEFAULT_POOL - searchers);
  }

  private static JsonNode search(String query) {
    HttpResponse<byte[]> response = http.get("/orders?" + query);
    assertThat(response.statusCode()).as("%s: %s", query, Http.text(response)).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    return Http.json(response);
  }

  private static void expectBadRequest(String query, String error, String path) {
    HttpResponse<byte[]> response = http.get("/orders?" + query);

    assertThat(response.statusCode()).as(query).isEqualTo(400);
    JsonNode body = Http.json(response);
    assertThat(body.path("error").asText()).as(query).isEqualTo(error);
    assertThat(body.path("violations").findValuesAsText("path")).as(query).containsExactly(path);
  }

  private static ObjectNode order(String customer, String track, String created) {
    try {
      ObjectNode order =
          (ObjectNode) Http.JSON.readTree(OrderCodec.standard().encode(ORDERS.next()));
      return order
          .put("customer_id", customer)
          .put("track_number", track)
          .put("date_created", created);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> uids(JsonNode page) {
    return page.path("orders").findValuesAsText("order_uid");
  }

  private static List<String> uids(List<ObjectNode> orders) {
    return orders.stream().map(OrderSearchApiTest::uid).toList();
  }

  private static String uid(ObjectNode order) {
    return order.path("order_uid").asText();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, UTF_8);
  }
}
