package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.devstack.EmbeddedPostgres;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live feed through outages: a database restarted under it (a PostgreSQL of the test's own,
 * stopped and started again on the same data and port) and the server's own shutdown.
 */
class LiveFeedRestartTest {

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final RandomOrders ORDERS = new RandomOrders(8080);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  @Test
  void afterADatabaseRestartTheStreamGoesOnWithTheOrdersStoredSince() {
    try (EmbeddedPostgres postgres =
        EmbeddedPostgres.builder().dataDirectory(dataDir.resolve("postgres")).build()) {
      postgres.start();
      String jdbcUrl = postgres.createDatabaseIfNotExists("orders") + "?user=" + postgres.user();
      String topic = TestStack.newTopic("pg_restart");
      try (OrderServer server = TestStack.startServer(jdbcUrl, topic);
          EventStream stream = EventStream.open(server)) {
        Http http = new Http(server);
        stream.awaitStart();
        Order before = ORDERS.next();
        assertThat(http.upload(CODEC.encode(before)).statusCode()).isEqualTo(201);
        stream.awaitOrders(1, PATIENCE);

        postgres.stop();
        Order fromKafka = ORDERS.next();
        TestStack.produce(topic, fromKafka.orderUid(), CODEC.encode(fromKafka));
        postgres.start();
        Order uploaded = ORDERS.next();
        await()
            .atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> http.upload(CODEC.encode(uploaded)).statusCode() == 201);

        List<EventStream.Event> events = stream.awaitOrders(3, PATIENCE);
        assertThat(events.get(0).orderUid()).isEqualTo(before.orderUid());
        assertThat(events.subList(1, 3))
            .extracting(EventStream.Event::orderUid)
            .containsExactlyInAnyOrder(fromKafka.orderUid(), uploaded.orderUid());
        assertThat(events)
            .extracting(EventStream.Event::number)
            .containsExactly(
                events.get(0).number(), events.get(0).number() + 1, events.get(0).number() + 2);
        Scrape metrics = Scrape.parse(Http.text(http.get("/metrics")));
        assertThat(metrics.value("order_live_listener_reconnects_total")).isGreaterThanOrEqualTo(1);
        await()
            .atMost(PATIENCE)
            .until(
                () ->
                    Http.json(http.get("/readyz")).path("live_feed").asText().equals("listening"));
      }
    }
  }

  @Test
  void closingTheServerEndsItsStreamsAndAnswersItsWaitingPollsAtOnce() throws Exception {
    OrderServer server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("live_close"), TestStack.newTopic("live_close"));
    Http http = new Http(server);
    try (EventStream stream = EventStream.open(server)) {
      stream.awaitStart();
      String lastId = Http.json(http.get("/orders/events?wait=0")).path("last_id").asText();
      CompletableFuture<HttpResponse<String>> poll =
          HttpClient.newHttpClient()
              .sendAsync(
                  HttpRequest.newBuilder(
                          URI.create(server.baseUri() + "orders/events?wait=30&after=" + lastId))
                      .build(),
                  HttpResponse.BodyHandlers.ofString(UTF_8));
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  Scrape.parse(Http.text(http.get("/metrics"))).value("order_live_polls_waiting")
                      == 1);

      long started = System.nanoTime();
      server.close();
      long tookMillis = (System.nanoTime() - started) / 1_000_000;

      HttpResponse<String> answer = poll.get(5, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(Http.JSON.readTree(answer.body()).path("events")).isEmpty();
      assertThat(Http.JSON.readTree(answer.body()).path("last_id").asText()).isEqualTo(lastId);
      await().atMost(Duration.ofSeconds(5)).until(stream::ended);
      assertThat(tookMillis).as("no wait for the stream or the poll").isLessThan(15_000);
    } finally {
      server.close();
    }
  }
}
