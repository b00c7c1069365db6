package dev.orderservice.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;

/**
 * An {@link EhcacheOrderCache}'s meters, named as Micrometer names every cache's: {@code
 * cache.gets} by result, {@code cache.puts}, {@code cache.evictions}, {@code cache.size}, tagged
 * with the cache's name. Hits and misses are the cache's own counts of {@link
 * EhcacheOrderCache#get}; puts and evictions come from Ehcache's statistics.
 */
final class CacheMeters extends CacheMeterBinder<EhcacheOrderCache> {

  CacheMeters(EhcacheOrderCache cache, String name) {
    super(cache, name, Tags.empty());
  }

  @Override
  protected Long size() {
    EhcacheOrderCache cache = getCache();
    return cache == null ? null : cache.stats().entries();
  }

  @Override
  protected long hitCount() {
    EhcacheOrderCache cache = getCache();
    return cache == null ? 0 : cache.stats().hits();
  }

  @Override
  protected Long missCount() {
    EhcacheOrderCache cache = getCache();
    return cache == null ? null : cache.stats().misses();
  }

  @Override
  protected Long evictionCount() {
    EhcacheOrderCache cache = getCache();
    return cache == null ? null : cache.evictions();
  }

  @Override
  protected long putCount() {
    EhcacheOrderCache cache = getCache();
    return cache == null ? 0 : cache.puts();
  }

  @Override
  protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
    // The common cache meters say it all.
  }
}
