package dev.orderservice.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.orderservice.cache.WarmUpStatus.State;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderStoreException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CacheWarmUpTest {

  private final List<EncodedOrder> orders = TestOrders.encoded(300, 11);
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger warmUpLogger = (Logger) LoggerFactory.getLogger(CacheWarmUp.class);
  private EhcacheOrderCache cache;

  @BeforeEach
  void captureLog() {
    log.start();
    warmUpLogger.addAppender(log);
  }

  @AfterEach
  void tearDown() {
    warmUpLogger.detachAppender(log);
    executor.shutdownNow();
    if (cache != null) {
      cache.close();
    }
  }

  @Test
  void everyStoredOrderIsLoadedWhenTheyAllFit() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();

    CacheWarmUp warmUp = CacheWarmUp.start(new ListOrderStore(orders), cache, executor);

    WarmUpStatus done = awaitEnd(warmUp);
    assertThat(done.state()).isEqualTo(State.DONE);
    assertThat(done.loaded()).isEqualTo(300);
    assertThat(done.total()).isEqualTo(300);
    assertThat(cache.stats().entries()).isEqualTo(300);
    for (EncodedOrder order : orders) {
      assertThat(cache.get(order.orderUid())).containsSame(order.json());
    }
    assertThat(messages(Level.INFO)).anyMatch(m -> m.startsWith("cache warm-up done: 300 orders"));
  }

  @Test
  void onlyTheNewestOrdersAreLoadedWhenTheStoreHoldsMoreThanTheBound() {
    cache = EhcacheOrderCache.builder().maxEntries(100).build();

    CacheWarmUp warmUp = CacheWarmUp.start(new ListOrderStore(orders), cache, executor);

    WarmUpStatus done = awaitEnd(warmUp);
    assertThat(done.state()).isEqualTo(State.DONE);
    assertThat(done.loaded()).isEqualTo(100);
    assertThat(done.total()).isEqualTo(100);
    for (EncodedOrder oldest : orders.subList(0, 200)) {
      assertThat(cache.get(oldest.orderUid())).as("an old order").isEmpty();
    }
    for (EncodedOrder newest : orders.subList(200, 300)) {
      assertThat(cache.get(newest.orderUid())).as("a new order").containsSame(newest.json());
    }
    assertThat(cache.stats().entries()).isEqualTo(100);
  }

  @Test
  void ordersStoredAfterTheCountAreLoadedToo() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();
    ListOrderStore growing =
        new ListOrderStore(orders) {
          @Override
          public long count() {
            return orders.size() - 5;
          }
        };

    WarmUpStatus done = awaitEnd(CacheWarmUp.start(growing, cache, executor));

    assertThat(done.state()).isEqualTo(State.DONE);
    assertThat(done.loaded()).isEqualTo(300);
    assertThat(done.total()).isEqualTo(300);
  }

  @Test
  void theStatusShowsProgressWhileTheStoreStreams() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();
    CountDownLatch release = new CountDownLatch(1);
    ListOrderStore stalling =
        new ListOrderStore(orders) {
          @Override
          public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
            orders.subList(0, 40).forEach(o -> sink.accept(o.orderUid(), o.json()));
            await().atMost(Duration.ofSeconds(30)).until(() -> release.getCount() == 0);
            orders.subList(40, 300).forEach(o -> sink.accept(o.orderUid(), o.json()));
            return orders.size();
          }
        };

    CacheWarmUp warmUp = CacheWarmUp.start(stalling, cache, executor);

    await().until(() -> warmUp.status().loaded() == 40);
    WarmUpStatus running = warmUp.status();
    assertThat(running.state()).isEqualTo(State.RUNNING);
    assertThat(running.total()).isEqualTo(300);
    assertThat(cache.get(orders.get(39).orderUid())).isPresent();
    release.countDown();
    assertThat(awaitEnd(warmUp).state()).isEqualTo(State.DONE);
  }

  @Test
  void aStoreFailingMidwayLeavesTheWarmUpFailedAndTheCacheServing() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();
    ListOrderStore failing =
        new ListOrderStore(orders) {
          @Override
          public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
            orders.subList(0, 50).forEach(o -> sink.accept(o.orderUid(), o.json()));
            throw new OrderStoreException(
                "could not stream all orders: SQLState 08006", true, null);
          }
        };

    WarmUpStatus failed = awaitEnd(CacheWarmUp.start(failing, cache, executor));

    assertThat(failed.state()).isEqualTo(State.FAILED);
    assertThat(failed.loaded()).isEqualTo(50);
    assertThat(failed.total()).isEqualTo(300);
    assertThat(cache.get(orders.get(0).orderUid())).containsSame(orders.get(0).json());
    cache.put(orders.get(299).orderUid(), orders.get(299).json());
    assertThat(cache.get(orders.get(299).orderUid())).isPresent();
    assertThat(messages(Level.WARN))
        .singleElement()
        .asString()
        .contains("failed after 50 of 300 orders")
        .contains("could not stream all orders: SQLState 08006");
  }

  @Test
  void aStoreThatCannotCountLeavesTheWarmUpFailed() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();
    ListOrderStore down =
        new ListOrderStore(orders) {
          @Override
          public long count() {
            throw new OrderStoreException("could not count orders: SQLState 08001", true, null);
          }
        };

    WarmUpStatus failed = awaitEnd(CacheWarmUp.start(down, cache, executor));

    assertThat(failed.state()).isEqualTo(State.FAILED);
    assertThat(failed.loaded()).isZero();
    assertThat(cache.stats().entries()).isZero();
  }

  @Test
  void anUnexpectedFailureIsLoggedWithoutItsMessage() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();
    ListOrderStore broken =
        new ListOrderStore(orders) {
          @Override
          public long streamNewest(long limit, BiConsumer<String, byte[]> sink) {
            throw new IllegalStateException("row: phone +972000000000, Ivan Petrov");
          }
        };

    WarmUpStatus failed = awaitEnd(CacheWarmUp.start(broken, cache, executor));

    assertThat(failed.state()).isEqualTo(State.FAILED);
    assertThat(messages(Level.WARN))
        .singleElement()
        .asString()
        .endsWith(": java.lang.IllegalStateException")
        .doesNotContain("phone", "Ivan");
    assertThat(log.list).allMatch(e -> e.getThrowableProxy() == null);
  }

  @Test
  void anExecutorThatRefusesTheTaskLeavesTheWarmUpFailed() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();

    CacheWarmUp warmUp =
        CacheWarmUp.start(
            new ListOrderStore(orders),
            cache,
            task -> {
              throw new RejectedExecutionException("shut down");
            });

    assertThat(warmUp.status().state()).isEqualTo(State.FAILED);
    assertThat(warmUp.status().loaded()).isZero();
  }

  @Test
  void theElapsedTimeStopsWhenTheWarmUpEnds() {
    cache = EhcacheOrderCache.builder().maxEntries(1_000).build();

    CacheWarmUp warmUp = CacheWarmUp.start(new ListOrderStore(orders), cache, executor);

    WarmUpStatus done = awaitEnd(warmUp);
    assertThat(done.elapsed()).isPositive();
    assertThat(warmUp.status().elapsed()).isEqualTo(done.elapsed());
  }

  private static WarmUpStatus awaitEnd(CacheWarmUp warmUp) {
    await().atMost(Duration.ofSeconds(30)).until(() -> warmUp.status().state() != State.RUNNING);
    return warmUp.status();
  }

  private List<String> messages(Level level) {
    return log.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
