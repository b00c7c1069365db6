package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.testsupport.TestBroker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces valid orders at a steady pace while a test does other things: {@code perTick} orders
 * every {@code tick}, keyed by uid, until {@code total} are acknowledged.
 */
final class BackgroundProducer implements AutoCloseable {

  private final String topic;
  private final int total;
  private final int perTick;
  private final RandomOrders orders;
  private final KafkaProducer<byte[], byte[]> producer = TestBroker.producer();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Order> produced = new ConcurrentHashMap<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private volatile int sent;

  private BackgroundProducer(String topic, int total, int perTick, long seed) {
    this.topic = topic;
    this.total = total;
    this.perTick = perTick;
    this.orders = new RandomOrders(seed);
  }

  static BackgroundProducer start(String topic, int total, int perTick, Duration tick, long seed) {
    BackgroundProducer p = new BackgroundProducer(topic, total, perTick, seed);
    p.scheduler.scheduleAtFixedRate(p::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    return p;
  }

  /** Whether every order was sent and acknowledged. */
  boolean isDone() {
    rethrowFailure();
    return produced.size() == total;
  }

  /** How many orders were acknowledged so far. */
  int acknowledged() {
    rethrowFailure();
    return produced.size();
  }

  /** The acknowledged orders by uid. */
  Map<String, Order> produced() {
    rethrowFailure();
    return Map.copyOf(produced);
  }

  private void tick() {
    int batch = Math.min(perTick, total - sent);
    if (batch <= 0) {
      return;
    }
    sent += batch;
    for (int i = 0; i < batch; i++) {
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

  private void rethrowFailure() {
    if (failure.get() != null) {
      throw new IllegalStateException("producing test orders failed", failure.get());
    }
  }

  @Override
  public void close() throws InterruptedException {
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    producer.close(Duration.ofSeconds(10));
  }
}
