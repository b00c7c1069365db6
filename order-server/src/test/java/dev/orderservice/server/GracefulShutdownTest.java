package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a process: SIGTERM in the middle of a stream of orders ends it with exit code 0
 * after a graceful shutdown, and nothing is lost or stored twice: a server started afterwards on
 * the same topic and group stores exactly the produced orders.
 */
class GracefulShutdownTest {

  private static final int ORDERS = 2_000;
  private static final int PER_TICK = 100;
  private static final Duration TICK = Duration.ofMillis(150);

  @TempDir Path dataDir;

  @Test
  void sigtermMidStreamExitsWithZeroAndEveryProducedOrderIsStoredExactlyOnce() throws Exception {
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("shutdown");
    String topic = TestStack.newTopic("shutdown");
    try (PacedProducer producer = new PacedProducer(topic);
        ChildServer child =
            ChildServer.start(
                "graceful-shutdown-server",
                Map.of(
                    "DB_DSN",
                    jdbcUrl,
                    "KAFKA_BROKER",
                    TestStack.kafkaBrokers(),
                    "KAFKA_TOPIC",
                    topic,
                    "KAFKA_GROUP",
                    topic + "-group",
                    "HTTP_ADDR",
                    "127.0.0.1:0",
                    "DATA_DIR",
                    dataDir.toString()))) {
      Supplier<List<String>> log = child::log;
      Http childHttp = child.awaitListening(Duration.ofSeconds(60));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> childHttp.get("/readyz").statusCode() == 200);

      producer.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> TestStack.countOrders(jdbcUrl) >= 200);
      child.terminate(); // SIGTERM

      assertThat(child.process().waitFor(40, TimeUnit.SECONDS)).as("exited in time").isTrue();
      assertThat(child.process().exitValue())
          .as("exit code; log:\n%s", String.join("\n", log.get()))
          .isZero();
      assertThat(log.get())
          .anyMatch(line -> line.contains("received SIGTERM; shutting down"))
          .anyMatch(line -> line.contains("shutdown: close the Kafka ingest"))
          .anyMatch(line -> line.contains("shutdown: drain HTTP requests in flight"))
          .anyMatch(line -> line.contains("stopped in"));
      long storedAtExit = TestStack.countOrders(jdbcUrl);

      await().atMost(Duration.ofSeconds(60)).until(producer::isDone);
      assertThat(storedAtExit)
          .as("the shutdown came in the middle of the stream")
          .isLessThan(ORDERS);

      try (OrderServer successor = TestStack.startServer(jdbcUrl, topic)) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> TestStack.countOrders(jdbcUrl) >= ORDERS);
        assertThat(TestStack.countOrders(jdbcUrl)).isEqualTo(ORDERS);
        Http http = new Http(successor);
        for (Order order : producer.produced().values()) {
          assertThat(http.get("/orders/" + order.orderUid()).body())
              .isEqualTo(OrderCodec.standard().encode(order));
        }
      }
    }
  }

  /** {@link #PER_TICK} orders every {@link #TICK} until {@link #ORDERS}, each acknowledged. */
  private static final class PacedProducer implements AutoCloseable {
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer = TestStack.producer();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final RandomOrders orders = new RandomOrders(2024);
    private final Map<String, Order> produced = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private int sent;

    PacedProducer(String topic) {
      this.topic = topic;
    }

    void start() {
      scheduler.scheduleAtFixedRate(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isDone() {
      if (failure.get() != null) {
        throw new IllegalStateException("producing failed", failure.get());
      }
      return produced.size() == ORDERS;
    }

    Map<String, Order> produced() {
      return Map.copyOf(produced);
    }

    private void tick() {
      for (int i = 0; i < PER_TICK && sent < ORDERS; i++, sent++) {
        Order order = orders.next();
        producer.send(
            new ProducerRecord<>(
                topic, order.orderUid().getBytes(UTF_8), OrderCodec.standard().encode(order)),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              } else {
                produced.put(order.orderUid(), order);
              }
            });
      }
    }

    @Override
    public void close() {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(10));
    }
  }
}
