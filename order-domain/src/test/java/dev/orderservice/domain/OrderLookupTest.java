package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OrderLookupTest {

  private static final String UID = "b563feb7b2b84b6test";

  private final OrderStore store = mock(OrderStore.class);
  private final OrderCache cache = mock(OrderCache.class);
  private final List<List<String>> reads = new CopyOnWriteArrayList<>();
  private final Map<String, Object> answers = new ConcurrentHashMap<>();
  private final ExecutorService readers = Executors.newCachedThreadPool();
  private OrderLookup lookup;

  @AfterEach
  void close() {
    if (lookup != null) {
      lookup.close();
    }
    readers.shutdownNow();
  }

  @Test
  void aCacheHitIsAnsweredAtOnceAndNeverTouchesTheStore() {
    byte[] json = OrderCodec.standard().encode(SampleOrder.order());
    when(cache.get(UID)).thenReturn(Optional.of(json));
    lookup = OrderLookup.builder(store, cache).executor(readers).build();

    CompletableFuture<Optional<byte[]>> found = lookup.find(UID);

    assertThat(found).isDone();
    assertThat(found.join()).containsSame(json);
    verify(cache, times(1)).get(UID);
    verifyNoInteractions(store);
  }

  @Test
  void aCacheMissLoadsFromTheStoreAndFillsTheCache() {
    byte[] json = OrderCodec.standard().encode(SampleOrder.order());
    when(cache.get(UID)).thenReturn(Optional.empty());
    when(store.findJsonAll(Set.of(UID))).thenReturn(Map.of(UID, json));
    lookup = OrderLookup.builder(store, cache).build();

    CompletableFuture<Optional<byte[]>> found = lookup.find(UID);

    assertThat(found).as("read on the caller's thread by default").isDone();
    assertThat(found.join()).containsSame(json);
    verify(cache).put(UID, json);
    verify(cache, times(1).description("one get per lookup: misses count lookups")).get(UID);
  }

  @Test
  void anUnknownOrderIsNotCached() {
    when(cache.get("nope")).thenReturn(Optional.empty());
    when(store.findJsonAll(Set.of("nope"))).thenReturn(Map.of());
    lookup = OrderLookup.builder(store, cache).build();

    assertThat(lookup.find("nope").join()).isEmpty();
    verify(cache, never()).put(anyString(), any());
  }

  @Test
  void lookupsThatArriveWhileAReadRunsAreReadTogetherInTheNextOne() throws Exception {
    CountDownLatch firstReadStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstRead = new CountDownLatch(1);
    when(store.findJsonAll(any()))
        .thenAnswer(
            call -> {
              Collection<String> uids = call.getArgument(0);
              reads.add(new ArrayList<>(uids));
              if (reads.size() == 1) {
                firstReadStarted.countDown();
                releaseFirstRead.await();
              }
              Map<String, byte[]> found = new ConcurrentHashMap<>();
              uids.stream()
                  .filter(u -> !u.startsWith("missing"))
                  .forEach(u -> found.put(u, json(u)));
              return found;
            });
    lookup = lookup(1, 100);

    lookup.find("first").whenComplete(record("first"));
    firstReadStarted.await();
    for (int i = 0; i < 10; i++) {
      lookup.find("order-" + i).whenComplete(record("order-" + i));
    }
    lookup.find("missing-1").whenComplete(record("missing-1"));
    lookup.find("order-3").whenComplete(record("order-3-again"));
    releaseFirstRead.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 13);
    assertThat(reads).hasSize(2);
    assertThat(reads.get(1)).hasSize(11).doesNotHaveDuplicates();
    assertThat(answers.get("order-7")).isEqualTo("order-7");
    assertThat(answers.get("order-3-again")).isEqualTo("order-3");
    assertThat(answers.get("missing-1")).isEqualTo("not found");
    verify(cache).put("order-7", json("order-7"));
  }

  @Test
  void aFailedReadFailsEveryLookupOfItsBatch() {
    OrderStoreException down = new OrderStoreException("database down", true, null);
    when(store.findJsonAll(any())).thenThrow(down);
    lookup = lookup(2, 100);

    lookup.find("a").whenComplete(record("a"));
    lookup.find("b").whenComplete(record("b"));

    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 2);
    assertThat(answers).containsEntry("a", down).containsEntry("b", down);
  }

  @Test
  void aFullQueueRefusesMoreLookups() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch reading = new CountDownLatch(1);
    when(store.findJsonAll(any()))
        .thenAnswer(
            call -> {
              reading.countDown();
              release.await();
              return Map.of();
            });
    lookup = lookup(1, 2);
    lookup.find("held").whenComplete(record("held"));
    reading.await();
    lookup.find("q1").whenComplete(record("q1"));
    lookup.find("q2").whenComplete(record("q2"));

    assertThatThrownBy(() -> lookup.find("q3").whenComplete(record("q3")))
        .isInstanceOf(RejectedExecutionException.class);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 3);
  }

  @Test
  void closingAnswersWhatIsQueuedAndRefusesNewLookups() {
    when(store.findJsonAll(any())).thenAnswer(call -> Map.of("a", json("a")));
    lookup = lookup(1, 100);
    lookup.find("a").whenComplete(record("a"));

    lookup.close();

    assertThat(answers).containsEntry("a", "a");
    assertThatThrownBy(() -> lookup.find("b").whenComplete(record("b")))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void anExecutorThatRefusesTheReaderFailsTheLookupInsteadOfLeavingItWaiting() {
    readers.shutdown();
    lookup = lookup(1, 100);

    lookup.find("a").whenComplete(record("a"));

    assertThat(answers.get("a")).isInstanceOf(RejectedExecutionException.class);
    verifyNoInteractions(store);
  }

  @Test
  void eachSettingIsCheckedWhenSet() {
    OrderLookup.Builder builder = OrderLookup.builder(store, cache);

    assertThatThrownBy(() -> builder.maxConcurrentReads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentReads must be >= 1, was 0");
    assertThatThrownBy(() -> builder.maxBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchSize must be >= 1, was 0");
    assertThatThrownBy(() -> builder.maxWaiting(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWaiting must be >= 1, was -1");
    assertThatThrownBy(() -> builder.closeTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeTimeout must be > 0");
  }

  private OrderLookup lookup(int concurrentReads, int maxWaiting) {
    return OrderLookup.builder(store, cache)
        .executor(readers)
        .maxConcurrentReads(concurrentReads)
        .maxBatchSize(64)
        .maxWaiting(maxWaiting)
        .build();
  }

  private BiConsumer<Optional<byte[]>, Throwable> record(String key) {
    return (json, failure) ->
        answers.put(
            key,
            failure != null ? failure : json.map(b -> new String(b, UTF_8)).orElse("not found"));
  }

  private static byte[] json(String uid) {
    return uid.getBytes(UTF_8);
  }
}
