package dev.orderservice.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderService;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.ingest.IngestMetrics;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresIngestPositions;
import dev.orderservice.persistence.PostgresOrderStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * {@code bench/run ingest}: {@link OrderIngest} from a topic already holding every order to all of
 * them stored and committed, against PostgreSQL {@code COPY} of the same rows ({@link CopyLoader})
 * and against decoding and validating the same record values with no database at all.
 *
 * <p>The records are produced and acknowledged before the clock starts, so the ingest rate is the
 * consumer's alone: group join, polls, decode, validate, {@code saveAll}, cache, commits. It is
 * done when the group's committed offsets reach the end of every partition and the store holds
 * every order. Targets: ingest at least 0.8x the COPY rate; decode + validate at least 5x the
 * ingest rate. With {@code --tracing}, each round also runs the ingest with tracing on ({@link
 * BenchTracing}), target at least 0.9x the rate with it off.
 */
final class IngestBenchmark {

  private static final double TARGET_COPY_RATIO = 0.8;
  private static final double TARGET_DECODE_RATIO = 5.0;
  private static final double TARGET_TRACING_RATIO = 0.9;
  private static final String GROUP_ID = "bench-ingest";
  private static final Duration CHECK_EVERY = Duration.ofMillis(50);
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(15);

  private IngestBenchmark() {}

  static void run(Options options) throws Exception {
    int count = options.integer("orders", 200_000);
    int partitions = options.integer("partitions", 3);
    int batchSize = options.integer("batch", OrderIngest.DEFAULT_MAX_BATCH_SIZE);
    String topic = options.text("topic", OrderIngest.DEFAULT_TOPIC);
    List<EncodedOrder> orders = BenchOrders.generate(count);
    long rows = BenchOrders.rows(orders);

    int rounds = options.integer("rounds", 2);
    boolean tracing = options.flag("tracing");
    IngestRun ingest = null;
    IngestRun traced = null;
    double copyRate = 0;
    try (BenchKafka kafka = BenchKafka.start();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        BenchDatabase database = BenchDatabase.start()) {
      createTopic(admin, topic, partitions);
      produce(kafka.bootstrapServers(), topic, orders);
      Map<TopicPartition, Long> ends = endOffsets(admin, topic, partitions, count);
      Source source = new Source(kafka, admin, database, topic, batchSize, ends, count);
      // Rounds in alternating order, each into fresh databases, each ingest as a new consumer
      // group reading the whole topic; the best of each counts, so neither the JIT's warm-up nor
      // a checkpoint falls on one side only.
      for (int round = 1; round <= rounds; round++) {
        boolean copyFirst = round % 2 == 0;
        if (copyFirst) {
          copyRate = Math.max(copyRate, timeCopy(database, orders, round));
        }
        if (tracing && copyFirst) {
          traced = best(traced, timeTracedIngest(source, round));
        }
        ingest = best(ingest, timeIngest(source, String.valueOf(round), null));
        if (tracing && !copyFirst) {
          traced = best(traced, timeTracedIngest(source, round));
        }
        if (!copyFirst) {
          copyRate = Math.max(copyRate, timeCopy(database, orders, round));
        }
      }
    }
    double decodeRate = timeDecodeAndValidate(orders);

    IngestMetrics m = ingest.metrics();
    System.out.printf(
        "orders: %,d (%,d rows in 4 tables), topic %s with %d partitions, ingest batches of up to"
            + " %d%n",
        count, rows, topic, partitions, batchSize);
    System.out.println(
        "cache: EhcacheOrderCache with its default bound; best of "
            + rounds
            + " rounds for the ingest and for COPY");
    System.out.printf(
        "ingest:          %,12.0f orders/s   (%,d ms from start to all stored and committed,"
            + " checked every %d ms)%n",
        ingest.rate(), ingest.millis(), CHECK_EVERY.toMillis());
    System.out.printf(
        "                 first batch committed at %,d ms; %,d batches of %.0f records on average,"
            + " %.1f ms from poll to commit on average; saveAll calls in flight %.2f on average"
            + " (of %d connections)%n",
        ingest.firstBatchMillis(),
        m.batches(),
        (double) m.batchRecordsTotal() / Math.max(1, m.batches()),
        m.batchLatencyNanosTotal() / 1e6 / Math.max(1, m.batches()),
        (double) ingest.saveAllMillis() / ingest.millis(),
        OrderIngest.DEFAULT_STORE_CONNECTIONS);
    if (traced != null) {
      System.out.printf(
          "ingest, tracing: %,12.0f orders/s   (every batch a span with its children, exported by"
              + " OTLP/HTTP to a local endpoint that discards)%n",
          traced.rate());
      System.out.printf(
          "ratio:           %12.2f   (tracing on / off; target >= %.1f: %s)%n",
          traced.rate() / ingest.rate(),
          TARGET_TRACING_RATIO,
          verdict(traced.rate() / ingest.rate(), TARGET_TRACING_RATIO));
    }
    System.out.printf("COPY:            %,12.0f orders/s%n", copyRate);
    System.out.printf(
        "ratio:           %12.2f   (ingest / COPY; target >= %.1f: %s)%n",
        ingest.rate() / copyRate,
        TARGET_COPY_RATIO,
        verdict(ingest.rate() / copyRate, TARGET_COPY_RATIO));
    System.out.printf(
        "decode+validate: %,12.0f orders/s   (one thread, no database, after a warm-up pass)%n",
        decodeRate);
    System.out.printf(
        "ratio:           %12.2f   (decode+validate / ingest; target >= %.1f: %s)%n",
        decodeRate / ingest.rate(),
        TARGET_DECODE_RATIO,
        verdict(decodeRate / ingest.rate(), TARGET_DECODE_RATIO));
  }

  /** What one timed ingest measured. */
  private record IngestRun(
      double rate, long millis, long firstBatchMillis, long saveAllMillis, IngestMetrics metrics) {}

  /**
   * One timed ingest, as a new consumer group named after {@code name} into a fresh database; with
   * {@code tracing} (null for none) the ingest is handed its OpenTelemetry.
   */
  private static IngestRun timeIngest(Source source, String name, BenchTracing tracing)
      throws Exception {
    String group = GROUP_ID + "-" + name;
    try (HikariDataSource ingestDb =
        pool(source.database().freshDatabase("bench_ingest_" + name), "bench-ingest")) {
      Migrations.migrate(ingestDb);
      OrderIngest.Builder builder =
          OrderIngest.builder()
              .bootstrapServers(source.kafka().bootstrapServers())
              .topic(source.topic())
              .deadLetterTopic(source.topic() + ".dlq")
              .groupId(group)
              .maxBatchSize(source.batchSize())
              // As the server does: each batch's positions recorded before its offsets commit.
              .positions(new PostgresIngestPositions(ingestDb));
      if (tracing != null) {
        builder.openTelemetry(tracing.openTelemetry());
      }
      IngestRun run =
          timeIngest(
              builder,
              new PostgresOrderStore(ingestDb),
              new Done(source.admin(), group, source.ends(), source.count()));
      System.err.printf(
          "%s: ingest %,.0f orders/s%s%n",
          name,
          run.rate(),
          tracing == null ? "" : ", tracing on; sent before the close: " + tracing.sent());
      return run;
    }
  }

  /** {@code --tracing}: the same ingest with an SDK exporting to a sink that discards. */
  private static IngestRun timeTracedIngest(Source source, int round) throws Exception {
    try (BenchTracing tracing = BenchTracing.start()) {
      return timeIngest(source, "traced_" + round, tracing);
    }
  }

  /** The topic every timed ingest reads whole, and where it is done. */
  private record Source(
      BenchKafka kafka,
      Admin admin,
      BenchDatabase database,
      String topic,
      int batchSize,
      Map<TopicPartition, Long> ends,
      int count) {}

  private static IngestRun best(IngestRun best, IngestRun run) {
    return best == null || run.rate() > best.rate() ? run : best;
  }

  private static double timeCopy(BenchDatabase database, List<EncodedOrder> orders, int round)
      throws Exception {
    try (HikariDataSource copyDb =
        pool(database.freshDatabase("bench_ingest_copy_" + round), "bench-ingest-copy")) {
      Migrations.migrate(copyDb);
      double rate = CopyLoader.load(copyDb, orders);
      System.err.printf("round %d: COPY %,.0f orders/s%n", round, rate);
      return rate;
    }
  }

  private static HikariDataSource pool(String jdbcUrl, String name) {
    // One per connection the ingest stores with, one for its positions, one for the completion
    // check's count.
    return OrderDatabase.pool(jdbcUrl, OrderIngest.DEFAULT_STORE_CONNECTIONS + 2, name);
  }

  private static String verdict(double ratio, double target) {
    return ratio >= target ? "met" : "NOT met";
  }

  /** Creates a new topic; one that exists already may hold records the benchmark would count. */
  static void createTopic(Admin admin, String topic, int partitions) throws Exception {
    try {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
          .all()
          .get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        throw new IllegalStateException(
            "topic " + topic + " exists already; name a new one with --topic");
      }
      throw e;
    }
  }

  /** Sends every order (key: its uid, value: its canonical JSON) and waits for every ack. */
  static void produce(String bootstrapServers, String topic, List<EncodedOrder> orders) {
    System.err.printf("producing %,d records to %s...%n", orders.size(), topic);
    Stopwatch watch = Stopwatch.start();
    BenchProducer.produce(bootstrapServers, "bench-producer", topic, orders.iterator());
    System.err.printf(
        "produced and acknowledged at %,.0f records/s (not part of any figure)%n",
        watch.perSecond(orders.size()));
  }

  /** The end offset of every partition, checked to add up to the orders produced. */
  static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, int partitions, int count)
      throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin
        .listOffsets(latest)
        .all()
        .get()
        .forEach((partition, info) -> ends.put(partition, info.offset()));
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    if (total != count) {
      throw new IllegalStateException("the topic holds " + total + " records, expected " + count);
    }
    return ends;
  }

  private static IngestRun timeIngest(
      OrderIngest.Builder builder, PostgresOrderStore store, Done done) throws Exception {
    TimedStore timedStore = new TimedStore(store);
    EhcacheOrderCache cache = EhcacheOrderCache.builder().build();
    OrderIngest ingest = builder.service(new OrderService(timedStore, cache)).build();
    ExecutorService executor =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-ingest"));
    Stopwatch watch;
    Timeline timeline;
    try (ingest) {
      System.err.println("ingest...");
      watch = Stopwatch.start();
      timeline = awaitDone(ingest, executor.submit(ingest), done, store);
    } finally {
      executor.shutdown();
      executor.awaitTermination(1, TimeUnit.MINUTES);
      cache.close();
    }
    // Read once the ingest is closed: the last batch's counters follow its commit.
    return new IngestRun(
        watch.perSecondUntil(done.count(), timeline.doneAt()),
        watch.millisUntil(timeline.doneAt()),
        watch.millisUntil(timeline.firstBatchAt()),
        timedStore.saveAllNanos() / 1_000_000,
        ingest.metrics());
  }

  /**
   * When the first batch was committed and when everything was; {@link System#nanoTime()} readings.
   */
  private record Timeline(long firstBatchAt, long doneAt) {}

  private static Timeline awaitDone(
      OrderIngest ingest, Future<?> running, Done done, PostgresOrderStore store) throws Exception {
    long firstBatchAt = 0;
    long giveUpAt = System.nanoTime() + GIVE_UP_AFTER.toNanos();
    while (true) {
      if (running.isDone()) {
        running.get(); // rethrows what ended it
        throw new IllegalStateException(
            "the ingest stopped before it was done: " + ingest.metrics());
      }
      if (firstBatchAt == 0 && ingest.metrics().batches() > 0) {
        firstBatchAt = System.nanoTime();
      }
      if (done.check(store)) {
        // Read after the check, so the time includes it: at most one interval and one check late.
        long doneAt = System.nanoTime();
        return new Timeline(firstBatchAt == 0 ? doneAt : firstBatchAt, doneAt);
      }
      if (System.nanoTime() - giveUpAt > 0) {
        throw new IllegalStateException(
            "not done after " + GIVE_UP_AFTER + ": " + ingest.metrics());
      }
      Thread.sleep(CHECK_EVERY.toMillis());
    }
  }

  /**
   * When the ingest is done: the group has committed the end of every partition, every order
   * stored.
   */
  record Done(Admin admin, String group, Map<TopicPartition, Long> ends, int count) {

    boolean check(PostgresOrderStore store) throws Exception {
      // The offsets first: a broker round trip is cheap; count(*) over the table is not, and it
      // would compete with the ingest for the database if run on every check.
      return committedToEnd() && store.count() == count;
    }

    boolean committedToEnd() throws Exception {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        OffsetAndMetadata offset = committed.get(end.getKey());
        if (offset == null || offset.offset() < end.getValue()) {
          return false;
        }
      }
      return true;
    }
  }

  private static double timeDecodeAndValidate(List<EncodedOrder> orders) {
    System.err.println("decode + validate...");
    OrderCodec codec = OrderCodec.standard();
    OrderValidator validator = new OrderValidator();
    decodeAndValidate(codec, validator, orders); // warm-up: lets the JIT compile the path first
    Stopwatch watch = Stopwatch.start();
    decodeAndValidate(codec, validator, orders);
    return watch.perSecond(orders.size());
  }

  /** What the ingest does to each record value before the database, on the bytes it was sent. */
  private static void decodeAndValidate(
      OrderCodec codec, OrderValidator validator, List<EncodedOrder> orders) {
    for (EncodedOrder order : orders) {
      if (!(codec.decode(order.json()) instanceof DecodeResult.Decoded decoded)
          || !validator.validate(decoded.order()).isEmpty()) {
        throw new IllegalStateException("order " + order.orderUid() + " is not a valid order");
      }
    }
  }

  /**
   * A store that adds up the time spent in {@code saveAll}, to say where the ingest's time goes.
   */
  private static final class TimedStore implements OrderStore {
    private final OrderStore store;
    private final AtomicLong saveAllNanos = new AtomicLong();

    TimedStore(OrderStore store) {
      this.store = store;
    }

    long saveAllNanos() {
      return saveAllNanos.get();
    }

    @Override
    public List<SaveResult> saveAll(List<EncodedOrder> batch) {
      long start = System.nanoTime();
      try {
        return store.saveAll(batch);
      } finally {
        saveAllNanos.addAndGet(System.nanoTime() - start);
      }
    }

    @Override
    public Optional<byte[]> findJson(String orderUid) {
      return store.findJson(orderUid);
    }
  }
}
