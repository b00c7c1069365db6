/**
 * The in-memory order cache: {@link dev.orderservice.cache.EhcacheOrderCache}, the {@link
 * dev.orderservice.domain.OrderCache} port over Ehcache 3, and {@link
 * dev.orderservice.cache.CacheWarmUp}, which fills it from the store after a start.
 *
 * <p>Lifecycle: the runner builds the cache ({@code EhcacheOrderCache.builder()...build()}), hands
 * it to {@code OrderService} and starts a warm-up on an executor of its own ({@code
 * CacheWarmUp.start(store, cache, executor)}); it serves lookups meanwhile, and misses read through
 * to the store. On shutdown it closes the cache after the last request; the warm-up, if still
 * running, ends when its store pass does (closing the store's pool ends it as failed).
 */
package dev.orderservice.cache;
