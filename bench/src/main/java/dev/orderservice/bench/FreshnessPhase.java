package dev.orderservice.bench;

import dev.orderservice.domain.EncodedOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One rate of the freshness benchmark: sends its orders at a steady rate, keyed by uid, noting for
 * each when it was sent, acknowledged and to which partition it went; every {@code probeEvery}-th
 * order is also read back over HTTP, from the two servers in turn.
 */
final class FreshnessPhase {

  final List<EncodedOrder> orders;
  final int rate;
  final long[] sentAt;
  final long[] ackedAt;
  final int[] partition;
  final int probeEvery;
  private final AtomicLong failed = new AtomicLong();

  FreshnessPhase(List<EncodedOrder> orders, int rate, int probesPerSecond) {
    this.orders = orders;
    this.rate = rate;
    this.sentAt = new long[orders.size()];
    this.ackedAt = new long[orders.size()];
    this.partition = new int[orders.size()];
    this.probeEvery = Math.max(1, rate / Math.max(1, probesPerSecond));
  }

  /** Sends every order at the rate; returns once all are sent (not yet acknowledged). */
  void send(KafkaProducer<String, byte[]> producer, String topic, ReadBackProbe readBack) {
    long step = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (int i = 0; i < orders.size(); i++) {
      long due = start + i * step;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait); // paced sending: each order at its time, none early
      }
      EncodedOrder order = orders.get(i);
      int index = i;
      sentAt[i] = System.nanoTime();
      producer.send(
          new ProducerRecord<>(topic, order.orderUid(), order.json()),
          (metadata, e) -> {
            if (e != null) {
              failed.incrementAndGet();
              return;
            }
            ackedAt[index] = System.nanoTime();
            partition[index] = metadata.partition();
          });
      if (readBack != null && i % probeEvery == 0) {
        readBack.watch(order.orderUid(), (i / probeEvery) % 2, sentAt[i]);
      }
    }
    producer.flush();
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " orders were not acknowledged by Kafka");
    }
  }

  /** Seconds the sending took, from the first send to the last. */
  double sendingSeconds() {
    return (sentAt[sentAt.length - 1] - sentAt[0]) / 1e9;
  }
}
