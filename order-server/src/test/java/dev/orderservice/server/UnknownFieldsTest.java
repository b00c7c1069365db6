package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code UNKNOWN_FIELDS}: rejected by default, over Kafka and HTTP alike; with {@code ignore} the
 * orders are stored without the fields, each name logged once and counted per name.
 */
class UnknownFieldsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final OrderCodec CODEC = OrderCodec.standard();
  private final RandomOrders orders = new RandomOrders(1111);
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(IgnoredFieldsLog.class);

  @BeforeEach
  void captureLog() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    logger.detachAppender(log);
  }

  @Test
  void byDefaultAnOrderWithAFieldTheModelDoesNotKnowIsRejectedSayingWhich() {
    String topic = TestStack.newTopic("unknown");
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("unknown");
    try (OrderServer server = TestStack.startServer(jdbcUrl, topic)) {
      Http http = new Http(server);
      Order order = orders.next();

      HttpResponse<byte[]> response = http.postJson("/orders", withGiftNote(order).getBytes(UTF_8));

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(Http.json(response).path("error").asText())
          .contains("delivery.gift_note: unknown field");
      assertThat(http.get("/orders/" + order.orderUid()).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void withIgnoreOrdersAreStoredWithoutTheFieldsEachNameLoggedOnceAndCounted() {
    String topic = TestStack.newTopic("unknown");
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("unknown");
    try (OrderServer server = TestStack.startServer(jdbcUrl, topic, "--unknown-fields", "ignore")) {
      Http http = new Http(server);
      List<Order> sent = List.of(orders.next(), orders.next(), orders.next());
      for (Order order : sent.subList(0, 2)) { // over Kafka
        TestStack.produce(topic, order.orderUid(), withGiftNote(order).getBytes(UTF_8));
      }
      HttpResponse<byte[]> posted = // and over HTTP
          http.postJson("/orders", withGiftNote(sent.get(2)).getBytes(UTF_8));

      assertThat(posted.statusCode()).isEqualTo(201);
      await().atMost(WAIT).until(() -> TestStack.countOrders(jdbcUrl) == 3);
      for (Order order : sent) {
        HttpResponse<byte[]> stored = http.get("/orders/" + order.orderUid());
        assertThat(stored.body()).isEqualTo(CODEC.encode(order));
        assertThat(Http.text(stored)).doesNotContain("gift_note").doesNotContain("wrap");
      }
      Scrape metrics = Scrape.parse(Http.text(http.get("/metrics")));
      assertThat(metrics.value("order_unknown_fields_total", "field", "delivery.gift_note"))
          .isEqualTo(3);
      assertThat(metrics.value("order_unknown_fields_total", "field", "items[].wrap")).isEqualTo(3);
      assertThat(messages()).filteredOn(m -> m.contains("delivery.gift_note")).hasSize(1);
      assertThat(messages()).filteredOn(m -> m.contains("items[].wrap")).hasSize(1);
    }
  }

  @Test
  void theNamesCountedAreBoundedWhateverProducersSend() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IgnoredFieldsLog fields = new IgnoredFieldsLog(registry);

    for (int i = 0; i < IgnoredFieldsLog.MAX_NAMES + 50; i++) {
      fields.ignored("field_" + i);
      fields.ignored("field_" + i);
    }

    assertThat(registry.find("order.unknown.fields").counters())
        .hasSize(IgnoredFieldsLog.MAX_NAMES + 1);
    assertThat(registry.get("order.unknown.fields").tag("field", "field_0").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("order.unknown.fields").tag("field", "other").counter().count())
        .isEqualTo(100);
    assertThat(messages()).hasSize(IgnoredFieldsLog.MAX_NAMES + 1);
    assertThat(messages().get(IgnoredFieldsLog.MAX_NAMES)).contains("\"other\"");
  }

  /** The order's JSON with two fields this model does not know, one nested in each item. */
  private static String withGiftNote(Order order) {
    return new String(CODEC.encode(order), UTF_8)
        .replace("\"delivery\":{", "\"delivery\":{\"gift_note\":\"for Ann\",")
        .replace("\"chrt_id\":", "\"wrap\":{\"paper\":\"red\"},\"chrt_id\":");
  }

  private List<String> messages() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
