package dev.orderservice.server.feed;

import static dev.orderservice.server.feed.LiveOrdersTest.summaries;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stream client's flow control and its overflow, without a network: a sink that writes only when
 * the test says so stands for the connection, and everything runs on the test's thread.
 */
class StreamClientTest {

  private static final String EPOCH = "s1234567";
  private static final int QUEUE = StreamClient.MAX_IN_FLIGHT;

  private final LiveOrders feed = new LiveOrders(EPOCH, LiveOrders.REPLAY_WINDOW);
  private final FakeSink sink = new FakeSink();

  @Test
  void aClientGetsTheEventsAfterItsPlaceInOrderAsTheyArePublished() {
    feed.publish(summaries(0, 3));
    StreamClient client = subscribe(1);

    feed.publish(summaries(3, 5));

    assertThat(sink.sentIds())
        .containsExactly("s1234567-2", "s1234567-3", "s1234567-4", "s1234567-5");
    assertThat(client.isOver()).isFalse();
  }

  @Test
  void atMostAQueueOfEventsIsHandedOverBeforeTheyAreWritten() {
    StreamClient client = subscribe(0);

    feed.publish(summaries(0, QUEUE + 500));

    assertThat(sink.sent).hasSize(QUEUE);
    sink.write(10);
    assertThat(sink.sent).hasSize(QUEUE + 10);
    assertThat(client.isOver()).isFalse();
  }

  @Test
  void aBurstManyTimesTheQueueReachesAClientThatReadsWithoutDroppingIt() {
    StreamClient client = subscribe(0);

    feed.publish(summaries(0, 5 * QUEUE));
    sink.writeAll();

    assertThat(sink.sent).hasSize(5 * QUEUE);
    assertThat(sink.sent.get(5 * QUEUE - 1).sequence()).isEqualTo(5L * QUEUE);
    assertThat(sink.dropped).isEmpty();
    assertThat(client.isOver()).isFalse();
  }

  @Test
  void aReplayOfTheWholeWindowIsNotAnOverflow() {
    feed.publish(summaries(0, LiveOrders.REPLAY_WINDOW + 50));

    subscribe(50);
    sink.writeAll();

    assertThat(sink.sent).hasSize(LiveOrders.REPLAY_WINDOW);
    assertThat(sink.dropped).isEmpty();
  }

  @Test
  void aClientThatWritesNothingOfAFullQueueForTheStallTimeIsDroppedAndUnsubscribed() {
    StreamClient client = subscribe(0);
    feed.publish(summaries(0, QUEUE + 1));
    assertThat(sink.checks).containsExactly(StreamClient.STALL);

    client.checkStalled();

    assertThat(sink.dropped).containsExactly(StreamClient.STALLED);
    assertThat(client.isOver()).isTrue();
    int sent = sink.sent.size();
    feed.publish(summaries(QUEUE + 1, QUEUE + 10));
    sink.writeAll();
    assertThat(sink.sent).hasSize(sent);
  }

  @Test
  void aClientThatKeepsWritingAFullQueueIsWatchedAgainNotDropped() {
    StreamClient client = subscribe(0);
    feed.publish(summaries(0, 3 * QUEUE));

    sink.write(1);
    client.checkStalled();

    assertThat(sink.dropped).isEmpty();
    assertThat(sink.checks).hasSize(2);
    client.checkStalled();
    assertThat(sink.dropped).containsExactly(StreamClient.STALLED);
  }

  @Test
  void aFullQueueWithNothingMoreWaitingIsNoOverflow() {
    StreamClient client = subscribe(0);

    feed.publish(summaries(0, QUEUE));
    client.checkStalled();

    assertThat(sink.checks).isEmpty();
    assertThat(sink.dropped).isEmpty();
    assertThat(client.isOver()).isFalse();
  }

  @Test
  void aClientWhoseNextEventLeftTheWindowIsDropped() {
    LiveOrders small = new LiveOrders(EPOCH, 2 * QUEUE);
    StreamClient client = new StreamClient(small, 0, Runnable::run, sink);
    sink.client = client;
    small.subscribe(client);
    client.published();
    small.publish(summaries(0, QUEUE));

    small.publish(summaries(QUEUE, 4 * QUEUE));
    sink.write(QUEUE);

    assertThat(sink.dropped).containsExactly(StreamClient.BEHIND);
    assertThat(client.isOver()).isTrue();
  }

  @Test
  void aClosedClientIsHandedNothingMore() {
    StreamClient client = subscribe(0);
    feed.publish(summaries(0, 2));

    client.closed();
    feed.publish(summaries(2, 4));
    client.published();

    assertThat(sink.sent).hasSize(2);
    assertThat(sink.dropped).isEmpty();
  }

  private StreamClient subscribe(long after) {
    StreamClient client = new StreamClient(feed, after, Runnable::run, sink);
    sink.client = client;
    feed.subscribe(client);
    client.published();
    return client;
  }

  /** Holds what is sent until the test writes it. */
  private static final class FakeSink implements StreamClient.Sink {
    final List<LiveOrders.LiveEvent> sent = new ArrayList<>();
    final List<String> dropped = new ArrayList<>();
    final List<Duration> checks = new ArrayList<>();
    StreamClient client;
    int written;

    @Override
    public void send(LiveOrders.LiveEvent event) {
      sent.add(event);
    }

    @Override
    public void drop(String reason) {
      dropped.add(reason);
    }

    @Override
    public void checkLater(Duration delay) {
      checks.add(delay);
    }

    void write(int events) {
      for (int i = 0; i < events; i++) {
        written++;
        client.written();
      }
    }

    void writeAll() {
      while (written < sent.size() && !client.isOver()) {
        write(1);
      }
    }

    List<String> sentIds() {
      return sent.stream().map(LiveOrders.LiveEvent::id).toList();
    }
  }
}
