package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MissLoaderTest {

  private final OrderStore store = mock(OrderStore.class);
  private final List<List<String>> reads = new CopyOnWriteArrayList<>();
  private final Map<String, Object> answers = new ConcurrentHashMap<>();
  private MissLoader loader;

  @AfterEach
  void close() {
    if (loader != null) {
      loader.close();
    }
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
    loader = new MissLoader(store, 1, 64, 100);

    loader.load("first", record("first"));
    firstReadStarted.await();
    for (int i = 0; i < 10; i++) {
      loader.load("order-" + i, record("order-" + i));
    }
    loader.load("missing-1", record("missing-1"));
    loader.load("order-3", record("order-3-again"));
    releaseFirstRead.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 13);
    assertThat(reads).hasSize(2);
    assertThat(reads.get(1)).hasSize(11).doesNotHaveDuplicates();
    assertThat(answers.get("order-7")).isEqualTo("order-7");
    assertThat(answers.get("order-3-again")).isEqualTo("order-3");
    assertThat(answers.get("missing-1")).isEqualTo("not found");
  }

  @Test
  void aFailedReadFailsEveryLookupOfItsBatch() {
    OrderStoreException down = new OrderStoreException("database down", true, null);
    when(store.findJsonAll(any())).thenThrow(down);
    loader = new MissLoader(store, 2, 64, 100);

    loader.load("a", record("a"));
    loader.load("b", record("b"));

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
    loader = new MissLoader(store, 1, 64, 2);
    loader.load("held", record("held"));
    reading.await();
    loader.load("q1", record("q1"));
    loader.load("q2", record("q2"));

    assertThatThrownBy(() -> loader.load("q3", record("q3")))
        .isInstanceOf(RejectedExecutionException.class);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == 3);
  }

  @Test
  void closingAnswersWhatIsQueuedAndRefusesNewLookups() {
    when(store.findJsonAll(any())).thenAnswer(call -> Map.of("a", json("a")));
    loader = new MissLoader(store, 1, 64, 100);
    loader.load("a", record("a"));

    loader.close();

    assertThat(answers).containsEntry("a", "a");
    assertThatThrownBy(() -> loader.load("b", record("b")))
        .isInstanceOf(RejectedExecutionException.class);
  }

  private MissLoader.Answer record(String key) {
    return new MissLoader.Answer() {
      @Override
      public void found(Optional<byte[]> json) {
        answers.put(key, json.map(b -> new String(b, UTF_8)).orElse("not found"));
      }

      @Override
      public void failed(RuntimeException failure) {
        answers.put(key, failure);
      }
    };
  }

  private static byte[] json(String uid) {
    return uid.getBytes(UTF_8);
  }
}
