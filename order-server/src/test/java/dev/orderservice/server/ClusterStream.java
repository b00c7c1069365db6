package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Orders streamed to a cluster at a steady pace while a test kills one of its brokers: {@link
 * #PER_TICK} records every {@link #TICK} until {@code total} were sent, each keyed by its uid, one
 * in {@link #BAD_EVERY} not a well-formed document and another in as many an invalid order. Only
 * what the cluster acknowledged counts as produced; the producer ({@code acks=all}, idempotent)
 * retries through a leader change for up to {@link #DELIVERY_TIMEOUT}.
 *
 * <p>Thread safe: the acknowledgements arrive on the producer's thread, the test reads them on its
 * own.
 */
final class ClusterStream implements AutoCloseable {

  static final int PER_TICK = 8;
  static final Duration TICK = Duration.ofMillis(20);
  static final int BAD_EVERY = 25;
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

  private final String topic;
  private final int total;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final RandomOrders orders = new RandomOrders(20261206);
  private final Map<String, byte[]> valid = new ConcurrentHashMap<>();
  private final Set<String> bad = ConcurrentHashMap.newKeySet();
  private final List<Exception> failures = new CopyOnWriteArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();
  private final Map<Integer, Long> lastAckByPartition = new ConcurrentHashMap<>();
  private final AtomicLong longestAckGap = new AtomicLong();
  private volatile int sent;

  ClusterStream(String bootstrapServers, String topic, int total) {
    this.topic = topic;
    this.total = total;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                (int) DELIVERY_TIMEOUT.toMillis()),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  void start() {
    scheduler.scheduleAtFixedRate(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether every record was sent and answered, acknowledged or failed. */
  boolean isDone() {
    return sent == total && answered.get() == total;
  }

  /** How many records were acknowledged so far. */
  int acknowledged() {
    return valid.size() + bad.size();
  }

  long acknowledgedValid() {
    return valid.size();
  }

  /** The acknowledged valid orders, as sent, by uid. */
  Map<String, byte[]> validOrders() {
    return Map.copyOf(valid);
  }

  /** {@code partition@offset} of each acknowledged record that is not a valid order. */
  Set<String> badSources() {
    return Set.copyOf(bad);
  }

  /** What the producer gave up on, after its retries. */
  List<Exception> failures() {
    return List.copyOf(failures);
  }

  /** The longest wait of any partition between two acknowledgements: a leader change shows here. */
  long longestAckGapMillis() {
    return longestAckGap.get() / 1_000_000;
  }

  private void tick() {
    for (int i = 0; i < PER_TICK && sent < total; i++, sent++) {
      Order order = orders.next();
      boolean isBad = sent % BAD_EVERY == 0 || sent % BAD_EVERY == BAD_EVERY / 2;
      byte[] value;
      if (sent % BAD_EVERY == 0) {
        value = ("{\"order_uid\": \"" + order.orderUid() + "\", ").getBytes(UTF_8);
      } else if (sent % BAD_EVERY == BAD_EVERY / 2) {
        value =
            new String(OrderCodec.standard().encode(order), UTF_8)
                .replace("\"currency\":\"", "\"currency\":\"x")
                .getBytes(UTF_8);
      } else {
        value = OrderCodec.standard().encode(order);
      }
      producer.send(
          new ProducerRecord<>(topic, order.orderUid().getBytes(UTF_8), value),
          (metadata, e) -> answered(order.orderUid(), isBad ? null : value, metadata, e));
    }
  }

  /** An answer to a send: {@code order} is the valid order's JSON, null for a bad record. */
  private void answered(String uid, byte[] order, RecordMetadata metadata, Exception e) {
    if (e != null) {
      failures.add(e);
    } else {
      long now = System.nanoTime();
      Long previous = lastAckByPartition.put(metadata.partition(), now);
      if (previous != null) {
        longestAckGap.accumulateAndGet(now - previous, Math::max);
      }
      if (order == null) {
        bad.add(metadata.partition() + "@" + metadata.offset());
      } else {
        valid.put(uid, order);
      }
    }
    answered.incrementAndGet();
  }

  @Override
  public void close() throws InterruptedException {
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    producer.close(Duration.ofSeconds(10));
  }
}
