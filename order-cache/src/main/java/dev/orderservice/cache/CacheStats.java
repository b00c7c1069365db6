package dev.orderservice.cache;

/**
 * A snapshot of an {@link EhcacheOrderCache}'s counters since it was built. The three numbers are
 * read one after the other, not atomically together.
 *
 * @param hits lookups that found the order
 * @param misses lookups that did not (including lookups after {@link EhcacheOrderCache#close()})
 * @param entries orders the cache holds now: the mappings of its authoritative tier (the heap, or
 *     the off-heap tier when one is configured); 0 once closed
 */
public record CacheStats(long hits, long misses, long entries) {}
