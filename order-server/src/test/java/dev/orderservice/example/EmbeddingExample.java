package dev.orderservice.example;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.domain.OrderLookup;
import dev.orderservice.domain.OrderService;
import dev.orderservice.ingest.OrderIngest;
import dev.orderservice.persistence.Migrations;
import dev.orderservice.persistence.OrderDatabase;
import dev.orderservice.persistence.PostgresOrderStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * The README's "Using the libraries in your application": the code between the {@code README}
 * markers is copied there verbatim, and {@link EmbeddingExampleTest} checks both that it works and
 * that the README still shows exactly this code.
 */
final class EmbeddingExample implements AutoCloseable {

  private final HikariDataSource pool;
  private final EhcacheOrderCache cache;
  private final OrderIngest ingest;
  private final OrderLookup lookup;

  EmbeddingExample(
      String jdbcUrl,
      String kafkaServers,
      ExecutorService executor,
      MeterRegistry meters,
      OpenTelemetry openTelemetry) {
    // README:start
    // meters: your application's Micrometer registry; leave the meterRegistry lines out for none
    // openTelemetry: your application's OpenTelemetry; leave the openTelemetry lines out for none
    HikariDataSource pool = OrderDatabase.pool(jdbcUrl, 4, "my-app", meters);
    Migrations.migrate(pool); // creates or upgrades the tables

    EhcacheOrderCache cache =
        EhcacheOrderCache.builder().maxEntries(100_000).meterRegistry(meters).build();
    PostgresOrderStore store = new PostgresOrderStore(pool);
    OrderService orders = new OrderService(store, cache);
    OrderLookup lookup =
        OrderLookup.builder(store, cache) // reads on the finding thread
            .openTelemetry(openTelemetry) // a span per read of the misses
            .build();

    OrderIngest ingest =
        OrderIngest.builder()
            .bootstrapServers(kafkaServers)
            .topic("orders") // rejected records go to orders.dlq
            .groupId("my-app")
            .service(orders)
            .meterRegistry(meters)
            .openTelemetry(openTelemetry) // a span per batch, linked to the producers' traces
            .build();
    executor.submit(ingest); // consumes until ingest.close()
    // README:end
    this.pool = pool;
    this.cache = cache;
    this.ingest = ingest;
    this.lookup = lookup;
  }

  Optional<byte[]> find(String orderUid) {
    // README:find
    Optional<byte[]> json = lookup.find(orderUid).join(); // the cache, then PostgreSQL
    // README:find-end
    return json;
  }

  @Override
  public void close() {
    // README:close
    ingest.close(); // commits what is done, then leaves the group
    lookup.close(); // answers the lookups still waiting for a read
    cache.close();
    pool.close();
    // README:close-end
  }
}
