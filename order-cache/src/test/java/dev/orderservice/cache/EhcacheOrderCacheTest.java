package dev.orderservice.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.domain.EncodedOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class EhcacheOrderCacheTest {

  private final List<EncodedOrder> orders = TestOrders.encoded(300, 7);

  @Test
  void anOrderPutIsFoundByItsUid() {
    EncodedOrder order = orders.get(0);
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build()) {
      cache.put(order.orderUid(), order.json());

      assertThat(cache.get(order.orderUid()))
          .hasValueSatisfying(json -> assertThat(json).isEqualTo(order.json()));
    }
  }

  @Test
  void anEvictedOrderIsGoneAndAPutRacingTheErasureDoesNotBringItBack() {
    EncodedOrder order = orders.get(0);
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build()) {
      cache.put(order.orderUid(), order.json());
      cache.put("other", orders.get(1).json());

      cache.evict(order.orderUid());
      cache.put(order.orderUid(), order.json());

      assertThat(cache.get(order.orderUid())).isEmpty();
      assertThat(cache.get("other")).isPresent();
      cache.clear();
      assertThat(cache.get("other")).isEmpty();
    }
  }

  @Test
  void anEvictedUidIsKeptOutOnlyForItsTime() {
    RecentlyEvicted evicted = new RecentlyEvicted(0);
    evicted.add("uid");
    // Kept out for 0 ns: its time is up at once.
    assertThat(evicted.contains("uid")).isFalse();
    RecentlyEvicted longer = new RecentlyEvicted(java.util.concurrent.TimeUnit.HOURS.toNanos(1));
    longer.add("uid");
    assertThat(longer.contains("uid")).isTrue();
    assertThat(longer.contains("other")).isFalse();
  }

  @Test
  void anUnknownUidIsAMiss() {
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build()) {
      assertThat(cache.get("unknown-uid")).isEmpty();
    }
  }

  @Test
  void aLaterPutReplacesTheCachedJson() {
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build()) {
      cache.put("uid", orders.get(0).json());
      cache.put("uid", orders.get(1).json());

      assertThat(cache.get("uid")).containsSame(orders.get(1).json());
      assertThat(cache.stats().entries()).isEqualTo(1);
    }
  }

  @Test
  void statsCountHitsMissesAndEntries() {
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build()) {
      assertThat(cache.stats()).isEqualTo(new CacheStats(0, 0, 0));
      for (EncodedOrder order : orders.subList(0, 3)) {
        cache.put(order.orderUid(), order.json());
      }

      cache.get(orders.get(0).orderUid());
      cache.get(orders.get(1).orderUid());
      cache.get(orders.get(0).orderUid());
      cache.get(orders.get(3).orderUid());

      assertThat(cache.stats()).isEqualTo(new CacheStats(3, 1, 3));
    }
  }

  @Test
  void theHeapTierNeverHoldsMoreThanMaxEntries() {
    int maxEntries = 100;
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(maxEntries).build()) {
      for (EncodedOrder order : orders) {
        cache.put(order.orderUid(), order.json());
        assertThat(cache.stats().entries()).isLessThanOrEqualTo(maxEntries);
      }

      long present = orders.stream().filter(o -> cache.get(o.orderUid()).isPresent()).count();
      assertThat(present).isBetween(1L, (long) maxEntries);
      assertThat(cache.stats().entries()).isEqualTo(present);
      assertThat(cache.maxEntries()).isEqualTo(maxEntries);
    }
  }

  @Test
  void aHeapHitReturnsTheVeryArrayThatWasPut() {
    EncodedOrder order = orders.get(0);
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build()) {
      cache.put(order.orderUid(), order.json());

      assertThat(cache.get(order.orderUid())).containsSame(order.json());
      assertThat(cache.get(order.orderUid())).containsSame(order.json());
    }
  }

  @Test
  void anOffHeapTierHoldsMoreThanTheHeapAndRoundTripsTheJson() {
    try (EhcacheOrderCache cache =
        EhcacheOrderCache.builder().maxEntries(10).offHeapBytes(4L * 1024 * 1024).build()) {
      for (EncodedOrder order : orders) {
        cache.put(order.orderUid(), order.json());
      }

      for (EncodedOrder order : orders) {
        // Served from the off-heap tier: deserialised, so equal but not the same array.
        assertThat(cache.get(order.orderUid()))
            .as(order.orderUid())
            .hasValueSatisfying(json -> assertThat(json).isEqualTo(order.json()))
            .hasValueSatisfying(json -> assertThat(json).isNotSameAs(order.json()));
      }
      assertThat(cache.stats()).isEqualTo(new CacheStats(orders.size(), 0, orders.size()));
    }
  }

  @Test
  void closeIsIdempotentAndAClosedCacheFindsNothing() {
    EncodedOrder order = orders.get(0);
    EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build();
    cache.put(order.orderUid(), order.json());

    cache.close();
    cache.close();

    assertThat(cache.get(order.orderUid())).isEmpty();
    cache.put(order.orderUid(), order.json());
    assertThat(cache.stats()).isEqualTo(new CacheStats(0, 1, 0));
  }

  @Test
  void theDefaultBoundIsAbout256MibOfOrders() {
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().build()) {
      assertThat(cache.maxEntries()).isEqualTo(EhcacheOrderCache.DEFAULT_MAX_ENTRIES);
    }
    assertThat(EhcacheOrderCache.DEFAULT_MAX_ENTRIES * EhcacheOrderCache.ASSUMED_ENTRY_BYTES)
        .isBetween(255L * 1024 * 1024, 256L * 1024 * 1024);
  }

  @Test
  void aCacheOfZeroEntriesIsDisabledAndAlwaysMisses() {
    try (EhcacheOrderCache disabled = EhcacheOrderCache.builder().maxEntries(0).build()) {
      disabled.put("a", new byte[] {1});

      assertThat(disabled.get("a")).isEmpty();
      assertThat(disabled.stats()).isEqualTo(new CacheStats(0, 1, 0));
    }
  }

  @Test
  void theBuilderRejectsSettingsEhcacheCannotHonour() {
    EhcacheOrderCache.Builder builder = EhcacheOrderCache.builder();

    assertThatThrownBy(() -> builder.maxEntries(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEntries must be >= 0, was -1");
    assertThatThrownBy(() -> builder.offHeapBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offHeapBytes must be 0 (none) or at least 1048576 (1 MiB), was -1");
    assertThatThrownBy(() -> builder.offHeapBytes(64 * 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offHeapBytes must be 0 (none) or at least 1048576 (1 MiB), was 65536");
  }

  @Test
  void nullArgumentsAreRejectedWithTheirName() {
    try (EhcacheOrderCache cache = EhcacheOrderCache.builder().maxEntries(10).build()) {
      assertThatThrownBy(() -> cache.get(null)).hasMessage("orderUid");
      assertThatThrownBy(() -> cache.put("uid", null)).hasMessage("json");
    }
  }
}
