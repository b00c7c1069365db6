package dev.orderservice.cache;

import dev.orderservice.domain.OrderCache;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.ehcache.Cache;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.EntryUnit;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.core.internal.statistics.DefaultStatisticsService;
import org.ehcache.core.statistics.CacheStatistics;
import org.ehcache.core.statistics.TierStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The canonical JSON of orders by {@code order_uid}, in an Ehcache 3 cache configured in code.
 *
 * <p>Build one with {@link #builder()}. The heap tier holds at most {@link #maxEntries()} orders
 * and evicts beyond that. It keeps the arrays it is given by reference: a heap hit returns the very
 * array that was {@link #put}, without copying or re-serialising it. An optional off-heap tier
 * ({@link Builder#offHeapBytes}) holds more orders outside the Java heap, bounded by bytes; values
 * there are serialised, so a lookup served from it returns an equal copy, which the heap tier then
 * keeps for the next lookups.
 *
 * <p>Thread safety: every method may be called from any thread. {@link #get} and {@link #put} never
 * block on I/O; they work in memory only. After {@link #close()}, {@link #get} finds nothing and
 * {@link #put} does nothing, so requests racing with a shutdown read through to the store instead
 * of failing.
 */
public final class EhcacheOrderCache implements OrderCache, AutoCloseable {

  /**
   * The heap an entry takes on average, as measured: the canonical JSON of {@code RandomOrders}
   * orders is 1,298 bytes on average (845 to 1,795 over 200,000 orders), and a heap tier filled
   * with them grew by 1,496 bytes per entry on JDK 17 with compressed oops. That is the JSON array
   * (16-byte header + JSON), the 32-character uid string (about 72 bytes) and Ehcache's value
   * holder and map node (about 110 bytes).
   */
  static final long ASSUMED_ENTRY_BYTES = 1_500;

  /**
   * The heap bound when none is set: about 256 MiB of orders at {@value #ASSUMED_ENTRY_BYTES} bytes
   * an entry, that is 268,435,456 / 1,500 = 178,956 entries. Orders with more items or longer texts
   * take more; size the heap accordingly or set {@link Builder#maxEntries}.
   */
  public static final long DEFAULT_MAX_ENTRIES = 256L * 1024 * 1024 / ASSUMED_ENTRY_BYTES;

  /** Ehcache refuses smaller off-heap tiers. */
  static final long MIN_OFF_HEAP_BYTES = 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(EhcacheOrderCache.class);
  private static final String ALIAS = "orders";

  private final long maxEntries;
  private final CacheManager manager;
  private final Cache<String, byte[]> cache;
  private final TierStatistics authority;
  private final CacheStatistics statistics;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RecentlyEvicted evicted = new RecentlyEvicted();

  private EhcacheOrderCache(Builder settings) {
    this.maxEntries = settings.maxEntries;
    if (maxEntries == 0) {
      // Disabled: every get is a miss, so every read goes to the store (benchmarks of the miss
      // path, deployments that want no cache). Ehcache has no zero-sized tier.
      this.manager = null;
      this.cache = null;
      this.authority = null;
      this.statistics = null;
      bindMeters(settings);
      LOG.info("order cache disabled (0 entries): every lookup reads the store");
      return;
    }
    ResourcePoolsBuilder pools =
        ResourcePoolsBuilder.newResourcePoolsBuilder().heap(maxEntries, EntryUnit.ENTRIES);
    if (settings.offHeapBytes > 0) {
      pools = pools.offheap(settings.offHeapBytes, MemoryUnit.B);
    }
    // Ehcache 3 has no size(); its statistics service reads each tier's mapping count, which is
    // cheap (a counter of the tier's map). The class sits in an internal package, but it is the
    // way Ehcache's maintainers point to for statistics (ehcache3 issues #1940, #3207).
    DefaultStatisticsService statistics = new DefaultStatisticsService();
    this.manager =
        CacheManagerBuilder.newCacheManagerBuilder()
            .using(statistics)
            .withCache(
                ALIAS,
                CacheConfigurationBuilder.newCacheConfigurationBuilder(
                    String.class, byte[].class, pools))
            .build(true);
    this.cache = manager.getCache(ALIAS, String.class, byte[].class);
    // The authoritative (lowest) tier holds every entry; the heap above it only the hot ones.
    String tier = settings.offHeapBytes > 0 ? "OffHeap" : "OnHeap";
    this.statistics = statistics.getCacheStatistics(ALIAS);
    this.authority = this.statistics.getTierStatistics().get(tier);
    bindMeters(settings);
    LOG.info(
        "order cache ready: heap tier {} entries, off-heap tier {}",
        maxEntries,
        settings.offHeapBytes > 0 ? settings.offHeapBytes + " bytes" : "none");
  }

  /** Settings with the defaults: {@link #DEFAULT_MAX_ENTRIES}, no off-heap tier. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The cached JSON of an order; counts a hit or a miss.
   *
   * @throws NullPointerException if {@code orderUid} is null
   */
  @Override
  public Optional<byte[]> get(String orderUid) {
    Objects.requireNonNull(orderUid, "orderUid");
    byte[] json = lookUp(orderUid);
    if (json == null) {
      misses.increment();
      return Optional.empty();
    }
    hits.increment();
    return Optional.of(json);
  }

  /**
   * Caches an order's canonical JSON, replacing what was cached under the uid, and may evict other
   * orders to stay within the bound. The array is kept, not copied: nobody may modify it after.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public void put(String orderUid, byte[] json) {
    Objects.requireNonNull(orderUid, "orderUid");
    Objects.requireNonNull(json, "json");
    if (cache == null || evicted.contains(orderUid)) {
      return; // disabled, or erased a moment ago
    }
    try {
      cache.put(orderUid, json);
    } catch (IllegalStateException e) {
      rethrowUnlessClosed(e);
    }
  }

  /**
   * Drops an order and keeps it out for {@value RecentlyEvicted#KEPT_OUT_SECONDS} s: a {@link #put}
   * of it meanwhile does nothing (a lookup reads the store instead).
   *
   * @throws NullPointerException if {@code orderUid} is null
   */
  @Override
  public void evict(String orderUid) {
    Objects.requireNonNull(orderUid, "orderUid");
    evicted.add(orderUid);
    if (cache == null) {
      return; // disabled
    }
    try {
      cache.remove(orderUid);
    } catch (IllegalStateException e) {
      rethrowUnlessClosed(e);
    }
  }

  /** Drops every order: what was deleted while nobody told this cache may be among them. */
  public void clear() {
    if (cache == null) {
      return; // disabled
    }
    try {
      cache.clear();
    } catch (IllegalStateException e) {
      rethrowUnlessClosed(e);
    }
  }

  /** Hits and misses since the cache was built, and how many orders it holds now. */
  public CacheStats stats() {
    long entries = closed.get() || cache == null ? 0 : Math.max(0, authority.getMappings());
    return new CacheStats(hits.sum(), misses.sum(), entries);
  }

  /** Orders the cache evicted to stay within its bounds. */
  long evictions() {
    return closed.get() || statistics == null ? 0 : statistics.getCacheEvictions();
  }

  /** Orders put into the cache. */
  long puts() {
    return closed.get() || statistics == null ? 0 : statistics.getCachePuts();
  }

  private void bindMeters(Builder settings) {
    if (settings.meterRegistry != null) {
      new CacheMeters(this, ALIAS).bindTo(settings.meterRegistry);
    }
  }

  /**
   * The most orders the heap tier holds. Without an off-heap tier that bounds the whole cache; with
   * one, the off-heap bytes do, and the heap keeps at most this many of the hottest orders.
   */
  public long maxEntries() {
    return maxEntries;
  }

  /** Closes the Ehcache cache manager and frees its memory, off-heap included. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && manager != null) {
      manager.close();
      LOG.info("order cache closed");
    }
  }

  private byte[] lookUp(String orderUid) {
    if (cache == null) {
      return null; // disabled
    }
    try {
      return cache.get(orderUid);
    } catch (IllegalStateException e) {
      rethrowUnlessClosed(e);
      return null;
    }
  }

  /** Ehcache throws IllegalStateException for every call on a closed cache. */
  private void rethrowUnlessClosed(IllegalStateException e) {
    if (!closed.get()) {
      throw e;
    }
  }

  /**
   * Settings of an {@link EhcacheOrderCache}. Each setter checks its value at once. Not thread
   * safe.
   */
  public static final class Builder {
    private long maxEntries = DEFAULT_MAX_ENTRIES;
    private long offHeapBytes;
    private MeterRegistry meterRegistry;

    private Builder() {}

    /**
     * The most orders the heap tier holds. Default {@link #DEFAULT_MAX_ENTRIES}. See {@link
     * EhcacheOrderCache#maxEntries()} for what it bounds when there is an off-heap tier. 0 disables
     * the cache: every lookup misses and nothing is kept.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxEntries(long maxEntries) {
      if (maxEntries < 0) {
        throw new IllegalArgumentException("maxEntries must be >= 0, was " + maxEntries);
      }
      this.maxEntries = maxEntries;
      return this;
    }

    /**
     * The size of an off-heap tier below the heap, in bytes; 0 (the default) for none. Off-heap
     * memory counts against the JVM's {@code -XX:MaxDirectMemorySize} (by default the maximum heap
     * size).
     *
     * @throws IllegalArgumentException if negative, or positive but below 1 MiB (Ehcache's minimum)
     */
    public Builder offHeapBytes(long offHeapBytes) {
      if (offHeapBytes < 0 || (offHeapBytes > 0 && offHeapBytes < MIN_OFF_HEAP_BYTES)) {
        throw new IllegalArgumentException(
            "offHeapBytes must be 0 (none) or at least "
                + MIN_OFF_HEAP_BYTES
                + " (1 MiB), was "
                + offHeapBytes);
      }
      this.offHeapBytes = offHeapBytes;
      return this;
    }

    /**
     * Where the cache's meters go, in Micrometer's cache conventions, tagged {@code cache=orders}:
     * {@code cache.gets} (tagged {@code result=hit} or {@code miss}), {@code cache.puts}, {@code
     * cache.evictions}, {@code cache.size}. Default: none, nothing is registered anywhere.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Starts the cache. Close it when done.
     *
     * @throws org.ehcache.StateTransitionException if Ehcache cannot create the cache, e.g. when
     *     the off-heap memory cannot be reserved
     */
    public EhcacheOrderCache build() {
      return new EhcacheOrderCache(this);
    }
  }
}
