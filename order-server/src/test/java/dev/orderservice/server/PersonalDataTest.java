package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.testsupport.PersonalDataOrders;
import dev.orderservice.testsupport.TestBroker;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Erasure end to end (README "Personal data"), on two instances in one consumer group on one
 * database, orders arriving from Kafka: an erased order is anonymized on both instances as soon as
 * the call returns, whichever instance erased it and whatever they had cached; no personal value is
 * left in any column of any table; a replay of the whole topic restores nothing and dead-letters
 * nothing; an erasure racing the ingest of the customer's new orders loses none of them.
 */
class PersonalDataTest {

  private static final String TOKEN = "personal-data-t0ken";
  private static final String BEARER = "Bearer " + TOKEN;
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static String jdbcUrl;
  private static String topic;
  private static OrderServer a;
  private static OrderServer b;
  private static Http httpA;
  private static Http httpB;

  @BeforeAll
  static void startTwoInstances() {
    jdbcUrl = TestStack.jdbcUrlWithOwnSchema("personal");
    topic = TestStack.newTopic("personal");
    a = TestStack.startServer(jdbcUrl, topic, "--api-token", TOKEN);
    b = TestStack.startServer(jdbcUrl, topic, "--api-token", TOKEN);
    httpA = new Http(a);
    httpB = new Http(b);
    await().atMost(PATIENCE).until(() -> listening(httpA) && listening(httpB));
  }

  @AfterAll
  static void stopInstances() {
    for (OrderServer server : new OrderServer[] {a, b}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void erasuresReachBothInstancesAtOnceLeaveNoPersonalValueAndAReplayRestoresNothing()
      throws Exception {
    PersonalDataOrders orders = new PersonalDataOrders(24, "piis");
    String customer = orders.customer("five-hundred");
    List<EncodedOrder> ofCustomer = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ofCustomer.add(orders.order(customer));
    }
    EncodedOrder single = orders.order(orders.customer("single"));
    List<EncodedOrder> all = new ArrayList<>(ofCustomer);
    all.add(single);
    long before = TestStack.countOrders(jdbcUrl);
    produce(all);
    await().atMost(PATIENCE).until(() -> TestStack.countOrders(jdbcUrl) == before + all.size());
    // Both caches hold every order before the erasure.
    for (EncodedOrder order : all) {
      assertThat(httpA.get("/orders/" + order.orderUid()).body()).isEqualTo(order.json());
      assertThat(httpB.get("/orders/" + order.orderUid()).body()).isEqualTo(order.json());
    }

    HttpResponse<byte[]> erasedOne = post(httpA, "/orders/" + single.orderUid() + "/erase");
    assertThat(Http.json(erasedOne).path("erased").asInt()).as(Http.text(erasedOne)).isEqualTo(1);
    assertErasedOnBoth(single);

    HttpResponse<byte[]> erasedCustomer = post(httpB, "/customers/" + customer + "/erase");
    JsonNode counts = Http.json(erasedCustomer);
    assertThat(counts.path("erased").asInt()).as(Http.text(erasedCustomer)).isEqualTo(500);
    String pseudonym = counts.path("customer_pseudonym").asText();
    for (EncodedOrder order : ofCustomer) {
      assertErasedOnBoth(order);
      assertThat(TestStack.decode(httpA.get("/orders/" + order.orderUid()).body()).customerId())
          .isEqualTo(pseudonym);
    }
    assertThat(orders.cellsWithToken(dataSource(), schema())).isEmpty();

    // Twice, and unknown ones, are answered clearly.
    JsonNode again = Http.json(post(httpA, "/orders/" + single.orderUid() + "/erase"));
    assertThat(again.path("erased").asInt()).isZero();
    assertThat(again.path("already_erased").asInt()).isEqualTo(1);
    assertThat(
            Http.json(post(httpA, "/customers/" + customer + "/erase"))
                .path("already_erased")
                .asInt())
        .isEqualTo(500);
    assertThat(post(httpA, "/orders/no-such-order/erase").statusCode()).isEqualTo(404);
    assertThat(post(httpA, "/customers/nobody-at-all/erase").statusCode()).isEqualTo(404);
    JsonNode audit = Http.json(httpB.get("/audit?limit=10", "Authorization", BEARER));
    assertThat(audit.path("entries").findValuesAsText("action"))
        .contains("erase_order", "erase_customer");
    assertThat(audit.toString()).doesNotContain("piis");
    assertThat(Http.text(httpB.get("/metrics")))
        .contains("order_personal_data_orders_total{action=\"erase_customer\"} 500.0")
        .contains("order_personal_data_actions_total{action=\"erase_customer\"} 1.0");

    // The whole topic read again, as after a restart or a replay: duplicates, nothing written.
    produce(all);
    awaitIngestCaughtUp();
    assertThat(TestStack.countOrders(jdbcUrl)).isEqualTo(before + all.size() + partitions());
    for (EncodedOrder order : all) {
      assertErasedOnBoth(order);
    }
    assertThat(orders.cellsWithToken(dataSource(), schema())).isEmpty();
    assertThat(TestBroker.size(topic + ".dlq")).isZero();
  }

  @Test
  void anErasureRacingTheIngestOfTheCustomersNewOrdersLosesNoneAndLeavesNoneHalfErased()
      throws Exception {
    PersonalDataOrders orders = new PersonalDataOrders(2_400, "piir");
    String customer = orders.customer("racing");
    List<EncodedOrder> old = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      old.add(orders.order(customer));
    }
    produce(old);
    await().atMost(PATIENCE).until(() -> storedOf(customer) == old.size());
    long before = TestStack.countOrders(jdbcUrl);

    List<EncodedOrder> sentDuring = new CopyOnWriteArrayList<>();
    List<EncodedOrder> sentAfter = new CopyOnWriteArrayList<>();
    AtomicBoolean erased = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    Thread producer =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> kafka = TestStack.producer()) {
                while (!stop.get()) {
                  EncodedOrder order;
                  synchronized (orders) {
                    order = orders.order(customer);
                  }
                  kafka.send(record(order)).get();
                  (erased.get() ? sentAfter : sentDuring).add(order);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    producer.start();
    await().atMost(PATIENCE).until(() -> sentDuring.size() >= 20);

    HttpResponse<byte[]> response = post(httpA, "/customers/" + customer + "/erase");
    erased.set(true);
    await().atMost(PATIENCE).until(() -> sentAfter.size() >= 20);
    stop.set(true);
    producer.join();

    assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(200);
    List<EncodedOrder> fresh = new ArrayList<>(sentDuring);
    fresh.addAll(sentAfter);
    await().atMost(PATIENCE).until(() -> TestStack.countOrders(jdbcUrl) == before + fresh.size());
    for (EncodedOrder order : old) {
      assertErasedOnBoth(order);
    }
    for (EncodedOrder order : sentAfter) {
      assertThat(httpA.get("/orders/" + order.orderUid()).body()).isEqualTo(order.json());
    }
    for (EncodedOrder order : sentDuring) {
      Order stored = TestStack.decode(httpB.get("/orders/" + order.orderUid()).body());
      if (PersonalData.isErased(stored)) {
        // Wholly erased, as an order stored before the erasure began: only its personal fields.
        assertThat(stored.withDelivery(order.order().delivery()).withCustomerId(customer))
            .isEqualTo(order.order());
        assertThat(PersonalData.isPseudonym(stored.customerId())).isTrue();
      } else {
        assertThat(stored).isEqualTo(order.order());
      }
    }
  }

  /**
   * The erased document on both instances. The instance that erased answers only once its own
   * listener heard the erasure; the other hears the same notification at the same moment, and its
   * listener thread drops the order within milliseconds: a second at most is allowed for that.
   */
  private static void assertErasedOnBoth(EncodedOrder order) {
    for (Http http : new Http[] {httpA, httpB}) {
      await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(10))
          .untilAsserted(
              () -> {
                HttpResponse<byte[]> got = http.get("/orders/" + order.orderUid());
                assertThat(got.statusCode()).isEqualTo(200);
                Order stored = TestStack.decode(got.body());
                assertThat(PersonalData.isErased(stored)).as(Http.text(got)).isTrue();
                assertThat(stored.withDelivery(order.order().delivery()).withCustomerId("x"))
                    .isEqualTo(order.order().withCustomerId("x"));
              });
    }
  }

  private static HttpResponse<byte[]> post(Http http, String path) {
    return http.postJson(path, new byte[0], "Authorization", BEARER);
  }

  private static void produce(List<EncodedOrder> orders) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
      for (EncodedOrder order : orders) {
        producer.send(record(order));
      }
      producer.flush();
    }
  }

  private static ProducerRecord<byte[], byte[]> record(EncodedOrder order) {
    return new ProducerRecord<>(topic, order.orderUid().getBytes(UTF_8), order.json());
  }

  /**
   * Sends one new order to each partition and waits until all are stored: the ingest has then read
   * everything sent before them.
   */
  private static void awaitIngestCaughtUp() throws Exception {
    PersonalDataOrders markers = new PersonalDataOrders(System.nanoTime(), "mark");
    List<String> uids = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
      for (int p = 0; p < partitions(); p++) {
        EncodedOrder marker = markers.order("marker");
        producer
            .send(new ProducerRecord<>(topic, p, marker.orderUid().getBytes(UTF_8), marker.json()))
            .get();
        uids.add(marker.orderUid());
      }
    }
    await()
        .atMost(PATIENCE)
        .until(
            () -> uids.stream().allMatch(uid -> httpA.get("/orders/" + uid).statusCode() == 200));
  }

  private static int partitions() {
    return 3;
  }

  private static long storedOf(String customerId) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        PreparedStatement s =
            c.prepareStatement("select count(*) from orders where customer_id = ?")) {
      s.setString(1, customerId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static PGSimpleDataSource dataSource() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(jdbcUrl);
    return dataSource;
  }

  private static String schema() throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        ResultSet r = c.createStatement().executeQuery("select current_schema()")) {
      r.next();
      return r.getString(1);
    }
  }

  private static boolean listening(Http http) {
    return Http.json(http.get("/readyz")).path("live_feed").asText().equals("listening");
  }
}
