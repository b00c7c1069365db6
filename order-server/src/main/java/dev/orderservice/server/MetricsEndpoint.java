package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.cache.CacheStats;
import dev.orderservice.ingest.IngestMetrics;
import dev.orderservice.ingest.RejectionStage;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the Prometheus text format, written by hand from the counters the parts
 * keep (HTTP, cache, ingest) and the JVM's MXBeans. Cheap enough to answer on the IO thread.
 * Thread safe.
 */
final class MetricsEndpoint {

  private final HttpMetrics http;
  private final Supplier<CacheStats> cache;
  private final Supplier<IngestMetrics> ingest;

  MetricsEndpoint(HttpMetrics http, Supplier<CacheStats> cache, Supplier<IngestMetrics> ingest) {
    this.http = Objects.requireNonNull(http, "http");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.ingest = Objects.requireNonNull(ingest, "ingest");
  }

  void metrics(HttpServerExchange exchange) {
    PrometheusText text = new PrometheusText();
    http.writeTo(text);
    writeCache(text, cache.get());
    writeIngest(text, ingest.get());
    writeJvm(text);
    Responses.send(exchange, StatusCodes.OK, PrometheusText.CONTENT_TYPE,
        text.toString().getBytes(UTF_8));
  }

  private static void writeCache(PrometheusText text, CacheStats stats) {
    text.single("order_cache_hits_total", "counter", "Order lookups the cache answered.",
        stats.hits());
    text.single("order_cache_misses_total", "counter",
        "Order lookups the cache could not answer.", stats.misses());
    text.single("order_cache_entries", "gauge", "Orders in the cache.", stats.entries());
  }

  private static void writeIngest(PrometheusText text, IngestMetrics m) {
    text.single("order_ingest_records_consumed_total", "counter",
        "Kafka records consumed, finished and committed.", m.recordsConsumed());
    text.single("order_ingest_inserted_total", "counter", "Orders the ingest stored.",
        m.ordersInserted());
    text.single("order_ingest_duplicates_total", "counter",
        "Orders that were already stored with the same content.", m.duplicates());
    text.family("order_ingest_rejected_total", "counter",
        "Records rejected, by the Kafka Connect stage that rejected them.");
    for (RejectionStage stage : RejectionStage.values()) {
      text.sample("order_ingest_rejected_total", m.rejectedByStage().getOrDefault(stage, 0L),
          "stage", stage.name());
    }
    text.single("order_ingest_dead_lettered_total", "counter",
        "Records the dead-letter topic acknowledged.", m.deadLettered());
    text.single("order_ingest_retries_total", "counter",
        "Transient failures retried after a backoff.", m.retries());
    text.single("order_ingest_batches_total", "counter", "Batches finished and committed.",
        m.batches());
    text.single("order_ingest_batch_records_total", "counter",
        "Records in the committed batches (divide by batches for the mean size).",
        m.batchRecordsTotal());
    text.single("order_ingest_batch_latency_seconds_total", "counter",
        "Time from poll to commit, summed over the committed batches.",
        m.batchLatencyNanosTotal() / 1e9);
    text.single("order_ingest_batch_latency_seconds_max", "gauge",
        "The longest time from poll to commit of a batch.", m.batchLatencyNanosMax() / 1e9);
    text.single("order_ingest_consumer_lag", "gauge",
        "Records on the assigned partitions not yet consumed, as of the last poll.",
        m.consumerLag());
    text.single("order_ingest_rebalances_total", "counter",
        "Times partitions were revoked from or lost by this consumer.", m.rebalances());
  }

  private static void writeJvm(PrometheusText text) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    text.single("jvm_memory_heap_used_bytes", "gauge", "Heap in use.", heap.getUsed());
    text.single("jvm_memory_heap_max_bytes", "gauge",
        "The most heap the JVM may use (-1 if undefined).", heap.getMax());
    text.single("jvm_threads_live", "gauge", "Live threads.",
        ManagementFactory.getThreadMXBean().getThreadCount());
    text.single("process_uptime_seconds", "gauge", "Time since the JVM started.",
        ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
    text.family("jvm_gc_collections_total", "counter", "Garbage collections, by collector.");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      text.sample("jvm_gc_collections_total", Math.max(0, gc.getCollectionCount()),
          "gc", gc.getName());
    }
    text.family("jvm_gc_collection_seconds_total", "counter",
        "Time spent in garbage collection, by collector.");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      text.sample("jvm_gc_collection_seconds_total", Math.max(0, gc.getCollectionTime()) / 1e3,
          "gc", gc.getName());
    }
  }
}
