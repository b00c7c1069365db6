package dev.orderservice.server.feed;

import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.persistence.StoredOrdersListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.DriverManager;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server does with what the {@link StoredOrdersListener} hears: publishes the stored
 * orders to the live feed ({@link LiveOrders}); drops erased and deleted orders from the cache and
 * redacts them in the feed's window, whichever instance erased them; and logs the listener's
 * outages, once each, and its recoveries (no order data). Called on the listener's thread; never
 * blocks it.
 *
 * <p>After an outage the listener delivers again what was erased meanwhile, but not what was
 * deleted (nothing is left to read): when orders may be deleted ({@code RETENTION_ACTION=delete}),
 * the whole cache is dropped then, and refills from the store as orders are read.
 */
public final class LiveFeedListener implements StoredOrdersListener.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(LiveFeedListener.class);

  private final LiveOrders feed;
  private final EhcacheOrderCache cache;
  private final HeardErasures heard;
  private final boolean deletions;
  private volatile boolean down;

  private LiveFeedListener(
      LiveOrders feed, EhcacheOrderCache cache, HeardErasures heard, boolean deletions) {
    this.feed = Objects.requireNonNull(feed, "feed");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.heard = Objects.requireNonNull(heard, "heard");
    this.deletions = deletions;
  }

  /**
   * Starts a listener on a connection of its own to {@code jdbcUrl} (not one of the pool's: it
   * stays open, listening) that feeds {@code feed}, and registers its meters: {@code
   * order_live_listener_listening} (1 while it listens) and {@code
   * order_live_listener_reconnects_total}.
   *
   * @param deletions whether orders may be deleted (retention): then the cache is dropped after an
   *     outage
   */
  public static StoredOrdersListener start(
      String jdbcUrl,
      LiveOrders feed,
      EhcacheOrderCache cache,
      HeardErasures heard,
      boolean deletions,
      MeterRegistry registry) {
    StoredOrdersListener listener =
        StoredOrdersListener.start(
            () -> DriverManager.getConnection(jdbcUrl),
            new LiveFeedListener(feed, cache, heard, deletions));
    Gauge.builder("order.live.listener.listening", listener, l -> l.isListening() ? 1 : 0)
        .description("1 while the live feed listens for stored orders, 0 while it reconnects.")
        .register(registry);
    FunctionCounter.builder(
            "order.live.listener.reconnects", listener, StoredOrdersListener::reconnects)
        .description("Times the live feed's listener connected again after losing the database.")
        .register(registry);
    return listener;
  }

  @Override
  public void stored(List<OrderSummary> orders) {
    feed.publish(orders);
  }

  @Override
  public void erased(List<StoredOrdersListener.Erased> orders) {
    for (StoredOrdersListener.Erased order : orders) {
      cache.evict(order.orderUid());
    }
    int redacted = feed.redact(orders);
    heard.heard(orders.stream().map(StoredOrdersListener.Erased::orderUid).toList());
    LOG.info(
        "personal data: {} orders erased or deleted; dropped from the cache, {} live events"
            + " redacted",
        orders.size(),
        redacted);
  }

  @Override
  public void listening(boolean afterOutage) {
    if (afterOutage && deletions) {
      cache.clear();
      LOG.info("live feed: the cache was dropped, as orders deleted meanwhile were not heard of");
    }
    if (afterOutage) {
      down = false;
      LOG.info(
          "live feed: listening for stored orders again; those stored meanwhile were published");
    } else {
      LOG.info("live feed: listening for stored orders");
    }
  }

  @Override
  public void lost(Exception cause) {
    if (!down) {
      down = true;
      LOG.warn("live feed: lost the database ({}); reconnecting", cause.toString());
    } else {
      LOG.debug("live feed: still no database ({})", cause.toString());
    }
  }
}
