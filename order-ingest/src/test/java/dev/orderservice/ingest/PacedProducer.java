package dev.orderservice.ingest;

import dev.orderservice.testsupport.TestBroker;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Produces given records in their order at a steady pace while a test does other things ({@code
 * perTick} every {@code tick}), and remembers where each one was written.
 */
final class PacedProducer implements AutoCloseable {

  private final List<ProducerRecord<byte[], byte[]>> records;
  private final int perTick;
  private final KafkaProducer<byte[], byte[]> producer = TestBroker.producer();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicReferenceArray<SourcePosition> written;
  private final AtomicInteger acknowledged = new AtomicInteger();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private int sent;

  private PacedProducer(List<ProducerRecord<byte[], byte[]>> records, int perTick) {
    this.records = List.copyOf(records);
    this.perTick = perTick;
    this.written = new AtomicReferenceArray<>(records.size());
  }

  static PacedProducer start(
      List<ProducerRecord<byte[], byte[]>> records, int perTick, Duration tick) {
    PacedProducer p = new PacedProducer(records, perTick);
    p.scheduler.scheduleAtFixedRate(p::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    return p;
  }

  /** Whether every record was sent and acknowledged. */
  boolean isDone() {
    rethrowFailure();
    return acknowledged.get() == records.size();
  }

  /** Where the {@code index}-th record was written; null while it is not acknowledged. */
  SourcePosition positionOf(int index) {
    rethrowFailure();
    return written.get(index);
  }

  /** Where each of {@code these} (records given to {@link #start}) was written. */
  Set<SourcePosition> positionsOf(Stream<ProducerRecord<byte[], byte[]>> these) {
    Set<ProducerRecord<byte[], byte[]>> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
    these.forEach(wanted::add);
    Set<SourcePosition> positions = new HashSet<>();
    for (int i = 0; i < records.size(); i++) {
      if (wanted.contains(records.get(i))) {
        positions.add(positionOf(i));
      }
    }
    return positions;
  }

  private void tick() {
    int end = Math.min(sent + perTick, records.size());
    for (int i = sent; i < end; i++) {
      int index = i;
      producer.send(
          records.get(i),
          (RecordMetadata metadata, Exception e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            } else {
              written.set(index, SourcePosition.of(metadata));
              acknowledged.incrementAndGet();
            }
          });
    }
    sent = end;
  }

  private void rethrowFailure() {
    if (failure.get() != null) {
      throw new IllegalStateException("producing test records failed", failure.get());
    }
  }

  @Override
  public void close() throws InterruptedException {
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    producer.close(Duration.ofSeconds(10));
  }
}
