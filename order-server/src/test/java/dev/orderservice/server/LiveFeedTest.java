package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.server.feed.LiveOrders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live feed across instances: two servers in one consumer group on one database, orders stored
 * by either (from Kafka or uploaded) reaching the stream and the long poll of the other, once each
 * and in order; resuming with {@code Last-Event-ID}; reloads; heartbeats.
 */
class LiveFeedTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final RandomOrders ORDERS = new RandomOrders(20261201);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static String topic;
  private static OrderServer a;
  private static OrderServer b;
  private static Http httpA;
  private static Http httpB;

  @BeforeAll
  static void startTwoInstancesInOneGroupOnOneDatabase() throws Exception {
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("live");
    topic = TestStack.newTopic("live");
    a = TestStack.startServer(jdbcUrl, topic, "--stream-heartbeat", "200ms");
    b = TestStack.startServer(jdbcUrl, topic, "--stream-heartbeat", "200ms");
    httpA = new Http(a);
    httpB = new Http(b);
    awaitBothConsuming(topic + "-group");
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
  void ordersStoredByEitherInstanceReachAStreamOnTheOtherOnceEachInOrder() throws Exception {
    try (EventStream stream = EventStream.open(b)) {
      List<EventStream.Event> start = stream.awaitStart();
      assertThat(start.get(0).retry()).isEqualTo("2000");
      EventStream.Event position = start.get(1);
      assertThat(position.event()).as("an id alone: where a reconnect resumes").isNull();
      assertThat(position.data()).isNull();

      List<Order> produced = produce(60);
      List<Order> uploaded = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Order order = ORDERS.next();
        assertThat(httpA.upload(CODEC.encode(order)).statusCode()).isEqualTo(201);
        uploaded.add(order);
      }

      List<EventStream.Event> events = stream.awaitOrders(70, PATIENCE);
      assertThat(uids(events))
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(uids(produced, uploaded));
      assertThat(uids(events).stream().filter(uids(uploaded)::contains).toList())
          .as("the uploads, each committed before the next, in commit order")
          .containsExactlyElementsOf(uids(uploaded));
      assertThat(events)
          .extracting(EventStream.Event::number)
          .as("numbered one after the other from the stream's start")
          .containsExactlyElementsOf(
              LongStream.rangeClosed(number(position) + 1, number(position) + 70).boxed().toList());
      assertThat(events).extracting(EventStream.Event::epoch).containsOnly(epochOf(position));
      Order first = uploaded.get(0);
      JsonNode summary =
          events.stream()
              .filter(e -> e.orderUid().equals(first.orderUid()))
              .findFirst()
              .orElseThrow()
              .json();
      assertThat(summary.path("track_number").asText()).isEqualTo(first.trackNumber());
      assertThat(summary.path("customer_id").asText()).isEqualTo(first.customerId());
      assertThat(summary.path("item_count").asInt()).isEqualTo(first.items().size());
      assertThat(inserted(httpA)).as("instance A stored some from Kafka").isPositive();
      assertThat(inserted(httpB)).as("instance B stored some from Kafka").isPositive();
    }
  }

  @Test
  void aStreamResumedWithTheLastEventIdGetsWhatWasStoredMeanwhileThenLiveNothingTwice() {
    String lastId = newestId(httpB);
    List<Order> before = uploadTo(httpA, 3);
    awaitPublished(httpB, lastId, before);
    try (EventStream first = EventStream.open(b)) {
      first.awaitStart();
      List<Order> seen = uploadTo(httpA, 3);
      List<EventStream.Event> events = first.awaitOrders(3, PATIENCE);
      assertThat(uids(events)).containsExactlyElementsOf(uids(seen));
      lastId = events.get(2).id();
    }
    List<Order> missed = uploadTo(httpA, 4);
    missed.addAll(produce(5));
    awaitPublished(httpB, lastId, missed);

    try (EventStream resumed = EventStream.open(b, "Last-Event-ID", lastId)) {
      List<Order> live = uploadTo(httpA, 2);
      List<EventStream.Event> events = resumed.awaitOrders(11, PATIENCE);

      assertThat(resumed.first("reload")).isEmpty();
      assertThat(resumed.blocks().get(1).event()).as("the backlog comes first").isEqualTo("order");
      assertThat(uids(events)).doesNotHaveDuplicates().doesNotContainAnyElementsOf(uids(before));
      assertThat(uids(events.subList(0, 9))).containsExactlyInAnyOrderElementsOf(uids(missed));
      assertThat(uids(events.subList(9, 11))).containsExactlyElementsOf(uids(live));
      assertThat(events.get(0).number()).isEqualTo(number(lastId) + 1);
      assertThat(events.get(10).number()).isEqualTo(number(lastId) + 11);
    }
  }

  @Test
  void theLastEventIdMayComeAsAQueryParameter() {
    String lastId = newestId(httpB);
    List<Order> missed = uploadTo(httpA, 2);
    awaitPublished(httpB, lastId, missed);

    try (EventStream resumed = EventStream.open(b.baseUri(), "?last_event_id=" + lastId)) {
      assertThat(uids(resumed.awaitOrders(2, PATIENCE))).containsExactlyElementsOf(uids(missed));
    }
  }

  @Test
  void anIdOfTheOtherInstanceMeansReloadThenLiveEvents() {
    String idOfA = httpPoll(httpA, "wait=0").path("last_id").asText();

    try (EventStream stream = EventStream.open(b, "Last-Event-ID", idOfA)) {
      List<EventStream.Event> start = stream.awaitStart();
      EventStream.Event reload = start.get(1);
      assertThat(reload.event()).isEqualTo("reload");
      assertThat(reload.json().path("reason").asText()).isEqualTo(LiveOrders.OTHER_FEED);
      assertThat(reload.epoch())
          .as("the reload carries b's newest id")
          .isNotEqualTo(idOfA.substring(0, 8));
      List<Order> live = uploadTo(httpA, 1);
      assertThat(uids(stream.awaitOrders(1, PATIENCE))).containsExactlyElementsOf(uids(live));
    }
  }

  @Test
  void anUnknownLastEventIdMeansReloadNotAnError() {
    try (EventStream stream = EventStream.open(b, "Last-Event-ID", "not an id <x>")) {
      assertThat(stream.response().statusCode()).isEqualTo(200);
      EventStream.Event reload = stream.awaitStart().get(1);
      assertThat(reload.event()).isEqualTo("reload");
      assertThat(reload.data()).doesNotContain("<x>");
    }
  }

  @Test
  void anIdleStreamGetsAHeartbeatComment() {
    try (EventStream stream = EventStream.open(b)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.comments() >= 3);
    }
  }

  @Test
  void aPollAfterAnIdIsAnsweredAtOnceWithTheEventsAfterIt() {
    String lastId = newestId(httpB);
    List<Order> stored = uploadTo(httpA, 3);
    awaitPublished(httpB, lastId, stored);
    List<String> got = new ArrayList<>();
    String after = lastId;

    while (got.size() < 3) {
      JsonNode answer = httpPoll(httpB, "after=" + after + "&wait=10");
      assertThat(answer.path("reload").asBoolean()).isFalse();
      answer.path("events").forEach(event -> got.add(event.at("/order/order_uid").asText()));
      after = answer.path("last_id").asText();
    }

    assertThat(got).containsExactlyElementsOf(uids(stored));
    assertThat(number(after)).isEqualTo(number(lastId) + 3);
  }

  @Test
  void aPollWithoutAfterWaitsForTheNextEventWithoutABacklog() throws Exception {
    String before = newestId(httpB);
    awaitPublished(httpB, before, uploadTo(httpA, 1));

    CompletableFuture<HttpResponse<String>> poll = pollAsync(b, "wait=30");
    await().atMost(PATIENCE).until(() -> waitingPolls(httpB) >= 1);
    assertThat(poll).isNotDone();
    List<Order> next = uploadTo(httpA, 1);

    JsonNode answer = Http.JSON.readTree(poll.get().body());
    assertThat(answer.path("events").findValuesAsText("order_uid"))
        .containsExactly(next.get(0).orderUid());
    assertThat(answer.path("reload").asBoolean()).isFalse();
    assertThat(answer.path("last_id").asText()).isEqualTo(answer.at("/events/0/id").asText());
  }

  @Test
  void aPollWithAnIdOfAnotherInstanceIsToldToReload() {
    String idOfA = httpPoll(httpA, "wait=0").path("last_id").asText();

    JsonNode answer = httpPoll(httpB, "after=" + idOfA + "&wait=30");

    assertThat(answer.path("reload").asBoolean()).isTrue();
    assertThat(answer.path("events")).isEmpty();
    assertThat(answer.path("last_id").asText()).startsWith(epochOf(httpB));
  }

  @Test
  void aPollWithNothingNewIsAnsweredEmptyAfterItsWait() {
    String lastId = newestId(httpB);
    long started = System.nanoTime();

    JsonNode answer = httpPoll(httpB, "after=" + lastId + "&wait=1");

    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    if (answer.path("events").isEmpty()) {
      assertThat(tookMillis).isGreaterThanOrEqualTo(900);
      assertThat(answer.path("last_id").asText()).isEqualTo(lastId);
    }
    assertThat(answer.path("reload").asBoolean()).isFalse();
  }

  @Test
  void theFeedsMetersAndReadinessSayWhatItDoes() {
    try (EventStream stream = EventStream.open(b)) {
      stream.awaitStart();
      Scrape metrics = Scrape.parse(Http.text(httpB.get("/metrics")));
      assertThat(metrics.value("order_live_stream_clients")).isGreaterThanOrEqualTo(1);
      assertThat(metrics.value("order_live_listener_listening")).isEqualTo(1);
      assertThat(metrics.has("order_live_events_published_total")).isTrue();
      assertThat(metrics.has("order_live_clients_dropped_total")).isTrue();
      assertThat(metrics.has("order_live_listener_reconnects_total")).isTrue();
      assertThat(metrics.has("order_live_polls_waiting")).isTrue();
    }
    assertThat(Http.json(httpB.get("/readyz")).path("live_feed").asText()).isEqualTo("listening");
  }

  // ---------------------------------------------------------------- helpers

  private static boolean listening(Http http) {
    return Http.json(http.get("/readyz")).path("live_feed").asText().equals("listening");
  }

  private static List<Order> uploadTo(Http http, int count) {
    List<Order> orders = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Order order = ORDERS.next();
      assertThat(http.upload(CODEC.encode(order)).statusCode()).isEqualTo(201);
      orders.add(order);
    }
    return orders;
  }

  /** {@code count} orders to the topic, acknowledged. */
  private static List<Order> produce(int count) {
    List<Order> orders = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
      for (int i = 0; i < count; i++) {
        Order order = ORDERS.next();
        producer.send(
            new ProducerRecord<>(topic, order.orderUid().getBytes(UTF_8), CODEC.encode(order)));
        orders.add(order);
      }
      producer.flush();
    }
    return orders;
  }

  /** The id of the newest event of {@code http}'s feed. */
  private static String newestId(Http http) {
    return httpPoll(http, "wait=0").path("last_id").asText();
  }

  /** Polls {@code http}'s feed from {@code after} until each of {@code orders} was published. */
  private static void awaitPublished(Http http, String after, List<Order> orders) {
    List<String> missing = new ArrayList<>(uids(orders));
    String position = after;
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!missing.isEmpty()) {
      assertThat(System.nanoTime()).as("published in time: %s", missing).isLessThan(deadline);
      JsonNode answer = httpPoll(http, "after=" + position + "&wait=5");
      assertThat(answer.path("reload").asBoolean()).isFalse();
      answer.path("events").forEach(e -> missing.remove(e.at("/order/order_uid").asText()));
      position = answer.path("last_id").asText();
    }
  }

  private static JsonNode httpPoll(Http http, String query) {
    HttpResponse<byte[]> response = http.get("/orders/events?" + query);
    assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(200);
    return Http.json(response);
  }

  private static CompletableFuture<HttpResponse<String>> pollAsync(
      OrderServer server, String query) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.baseUri() + "orders/events?" + query))
            .timeout(Duration.ofSeconds(60))
            .build();
    return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private static double waitingPolls(Http http) {
    return Scrape.parse(Http.text(http.get("/metrics"))).value("order_live_polls_waiting");
  }

  private static double inserted(Http http) {
    return Scrape.parse(Http.text(http.get("/metrics")))
        .value("order_ingest_orders_total", "topic", topic, "outcome", "inserted");
  }

  private static String epochOf(Http http) {
    return httpPoll(http, "wait=0").path("last_id").asText().substring(0, 8);
  }

  private static String epochOf(EventStream.Event event) {
    return event.epoch();
  }

  private static long number(EventStream.Event event) {
    return event.number();
  }

  private static long number(String id) {
    return Long.parseLong(id.substring(id.indexOf('-') + 1));
  }

  private static List<String> uids(List<EventStream.Event> events) {
    return events.stream().map(EventStream.Event::orderUid).toList();
  }

  @SafeVarargs
  private static List<String> uids(List<Order>... lists) {
    List<String> uids = new ArrayList<>();
    for (List<Order> orders : lists) {
      orders.forEach(order -> uids.add(order.orderUid()));
    }
    return uids;
  }

  /** Waits until both instances are members of the group with partitions of their own. */
  private static void awaitBothConsuming(String group) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.kafkaBrokers()))) {
      await()
          .atMost(PATIENCE)
          .until(
              () -> {
                ConsumerGroupDescription description =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return description.members().size() == 2
                    && description.members().stream()
                        .map(MemberDescription::assignment)
                        .allMatch(assignment -> !assignment.topicPartitions().isEmpty());
              });
    }
  }
}
