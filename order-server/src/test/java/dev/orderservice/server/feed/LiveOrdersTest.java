package dev.orderservice.server.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.persistence.StoredOrdersListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The live feed's events, ids, window and resumption, without a network. */
class LiveOrdersTest {

  private static final String EPOCH = "abc12xyz";

  @Test
  void eventsAreNumberedFromOneInTheOrderTheyArePublishedAndTheirIdsNameTheFeed() {
    LiveOrders feed = new LiveOrders(EPOCH, 100);

    feed.publish(summaries(0, 2));
    feed.publish(summaries(2, 3));

    LiveOrders.Slice all = feed.read(0, 10);
    assertThat(all.lost()).isFalse();
    assertThat(all.events())
        .extracting(LiveOrders.LiveEvent::id)
        .containsExactly("abc12xyz-1", "abc12xyz-2", "abc12xyz-3");
    assertThat(all.events()).extracting(LiveOrders.LiveEvent::sequence).containsExactly(1L, 2L, 3L);
    assertThat(feed.last()).isEqualTo(3);
  }

  @Test
  void anEventCarriesTheOrdersSummaryAsJson() throws IOException {
    LiveOrders feed = new LiveOrders(EPOCH, 100);
    OrderSummary summary =
        new OrderSummary(
            "uid-1", "TRACK1", "customer-1", "2021-11-26T09:22:19+03:00", 1817, "USD", 2);

    feed.publish(List.of(summary));

    JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(feed.read(0, 1).events().get(0).json());
    assertThat(json.toString())
        .isEqualTo(
            "{\"order_uid\":\"uid-1\",\"track_number\":\"TRACK1\",\"customer_id\":\"customer-1\","
                + "\"date_created\":\"2021-11-26T09:22:19+03:00\",\"amount\":1817,"
                + "\"currency\":\"USD\",\"item_count\":2}");
  }

  @Test
  void erasedOrdersAreRedactedInTheWindowAndKeepTheirNumbers() {
    LiveOrders feed = new LiveOrders(EPOCH, 100);
    feed.publish(summaries(0, 3));
    OrderSummary erased =
        new OrderSummary(
            "order-1",
            "TRACK1",
            "erased-00000000000000000000000000000001",
            "2021-11-26T06:22:19Z",
            1,
            "USD",
            1);

    int replaced =
        feed.redact(
            List.of(
                new StoredOrdersListener.Erased("order-1", Optional.of(erased)),
                new StoredOrdersListener.Erased("order-2", Optional.empty()),
                new StoredOrdersListener.Erased("not-in-window", Optional.empty())));

    assertThat(replaced).isEqualTo(2);
    List<LiveOrders.LiveEvent> events = feed.read(0, 10).events();
    assertThat(events).extracting(LiveOrders.LiveEvent::sequence).containsExactly(1L, 2L, 3L);
    assertThat(events.get(0).json()).contains("\"customer_id\":\"customer-0\"");
    assertThat(events.get(1).json()).contains("erased-00000000000000000000000000000001");
    assertThat(events.get(2).json())
        .contains("\"customer_id\":\"[erased]\"")
        .doesNotContain("customer-2");
  }

  @Test
  void everyFeedHasANewEpochOfEightBase36Characters() {
    LiveOrders one = new LiveOrders();
    LiveOrders other = new LiveOrders();

    assertThat(one.epoch()).matches("[0-9a-z]{8}");
    assertThat(other.epoch()).matches("[0-9a-z]{8}").isNotEqualTo(one.epoch());
    assertThat(one.id(0)).isEqualTo(one.epoch() + "-0");
  }

  @Test
  void aClientThatSawNothingGoesOnFromTheNewestEventWithoutReloading() {
    LiveOrders feed = new LiveOrders(EPOCH, 100);
    feed.publish(summaries(0, 5));

    LiveOrders.Resume resume = feed.resume(Optional.empty());

    assertThat(resume.after()).isEqualTo(5);
    assertThat(resume.reload()).isEmpty();
  }

  @Test
  void aClientResumesRightAfterItsLastEventWhileThatIsInTheWindow() {
    LiveOrders feed = new LiveOrders(EPOCH, 10);
    feed.publish(summaries(0, 15));

    assertThat(feed.resume(Optional.of("abc12xyz-7"))).isEqualTo(resume(7));
    assertThat(feed.resume(Optional.of("abc12xyz-15"))).isEqualTo(resume(15));
    assertThat(feed.resume(Optional.of("abc12xyz-5")))
        .as("event 6, the first it lacks, is the oldest kept")
        .isEqualTo(resume(5));
    assertThat(feed.read(5, 100).events()).hasSize(10);
  }

  @Test
  void theFirstPlaceOfAFeedIsResumableBeforeAnyEvent() {
    LiveOrders feed = new LiveOrders(EPOCH, 10);

    assertThat(feed.resume(Optional.of("abc12xyz-0"))).isEqualTo(resume(0));
    feed.publish(summaries(0, 1));
    assertThat(feed.read(0, 10).events())
        .extracting(LiveOrders.LiveEvent::id)
        .containsExactly("abc12xyz-1");
  }

  @Test
  void anIdOfAnotherFeedMeansReloadFromTheNewestEvent() {
    LiveOrders feed = new LiveOrders(EPOCH, 10);
    feed.publish(summaries(0, 3));

    LiveOrders.Resume resume = feed.resume(Optional.of("zzzzzzzz-2"));

    assertThat(resume.after()).isEqualTo(3);
    assertThat(resume.reload()).contains(LiveOrders.OTHER_FEED);
  }

  @Test
  void anIdOlderThanTheWindowMeansReload() {
    LiveOrders feed = new LiveOrders(EPOCH, 10);
    feed.publish(summaries(0, 15));

    LiveOrders.Resume resume = feed.resume(Optional.of("abc12xyz-4"));

    assertThat(resume.after()).isEqualTo(15);
    assertThat(resume.reload()).contains(LiveOrders.TOO_OLD);
  }

  @Test
  void anIdAheadOfTheFeedOrNotAnIdAtAllMeansReload() {
    LiveOrders feed = new LiveOrders(EPOCH, 10);
    feed.publish(summaries(0, 3));

    for (String id :
        List.of("abc12xyz-4", "abc12xyz", "abc12xyz--1", "ABC12XYZ-1", "x", "abc12xyz-1 ", "")) {
      assertThat(feed.resume(Optional.of(id)))
          .as(id)
          .isEqualTo(new LiveOrders.Resume(3, Optional.of(LiveOrders.UNKNOWN)));
    }
    assertThat(LiveOrders.isEventId("abc12xyz-4")).isTrue();
    assertThat(LiveOrders.isEventId("abc12xyz-")).isFalse();
  }

  @Test
  void theWindowKeepsOnlyTheLatestEventsAndAReadFromBeforeItIsLost() {
    LiveOrders feed = new LiveOrders(EPOCH, 10);
    feed.publish(summaries(0, 25));

    assertThat(feed.read(14, 100).lost()).isTrue();
    assertThat(feed.read(14, 100).events()).isEmpty();
    LiveOrders.Slice kept = feed.read(15, 100);
    assertThat(kept.lost()).isFalse();
    assertThat(kept.events())
        .extracting(LiveOrders.LiveEvent::sequence)
        .containsExactlyElementsOf(IntStream.rangeClosed(16, 25).mapToObj(Long::valueOf).toList());
  }

  @Test
  void aReadReturnsAtMostWhatIsAskedForOldestFirst() {
    LiveOrders feed = new LiveOrders(EPOCH, 100);
    feed.publish(summaries(0, 50));

    assertThat(feed.read(10, 5).events())
        .extracting(LiveOrders.LiveEvent::sequence)
        .containsExactly(11L, 12L, 13L, 14L, 15L);
    assertThat(feed.read(50, 5).events()).isEmpty();
  }

  @Test
  void aBatchLargerThanTheWindowLeavesItsLatestEvents() {
    LiveOrders feed = new LiveOrders(EPOCH, 10);

    feed.publish(summaries(0, 35));

    assertThat(feed.last()).isEqualTo(35);
    assertThat(feed.read(25, 100).events()).hasSize(10);
    assertThat(feed.read(24, 100).lost()).isTrue();
  }

  @Test
  void subscribersAreWokenOncePerPublishAfterTheEventsCanBeRead() {
    LiveOrders feed = new LiveOrders(EPOCH, 100);
    List<Long> seen = new ArrayList<>();
    LiveOrders.Subscriber subscriber = () -> seen.add(feed.read(0, 100).events().size() + 0L);
    feed.subscribe(subscriber);

    feed.publish(summaries(0, 3));
    feed.publish(List.of());
    feed.publish(summaries(3, 5));
    feed.unsubscribe(subscriber);
    feed.publish(summaries(5, 6));

    assertThat(seen).containsExactly(3L, 5L);
  }

  @Test
  void aSubscriberThatFailsDoesNotKeepTheOthersFromBeingWoken() {
    LiveOrders feed = new LiveOrders(EPOCH, 100);
    AtomicInteger woken = new AtomicInteger();
    feed.subscribe(
        () -> {
          throw new IllegalStateException("broken");
        });
    feed.subscribe(woken::incrementAndGet);

    feed.publish(summaries(0, 1));

    assertThat(woken).hasValue(1);
    assertThat(feed.last()).isEqualTo(1);
  }

  @Test
  void anEpochMustBeEightBase36Characters() {
    assertThatThrownBy(() -> new LiveOrders("short", 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LiveOrders(EPOCH, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static LiveOrders.Resume resume(long after) {
    return new LiveOrders.Resume(after, Optional.empty());
  }

  /** Summaries number {@code from} (inclusive) to {@code to} (exclusive). */
  static List<OrderSummary> summaries(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(
            i ->
                new OrderSummary(
                    "order-" + i,
                    "TRACK" + i,
                    "customer-" + i,
                    "2021-11-26T06:22:19Z",
                    i,
                    "USD",
                    1))
        .toList();
  }
}
