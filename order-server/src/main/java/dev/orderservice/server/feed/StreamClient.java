package dev.orderservice.server.feed;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client of the live stream: where it is in the feed, and how far its connection has got. It
 * hands the feed's events to its {@link Sink} as fast as the sink writes them, with at most {@value
 * #MAX_IN_FLIGHT} handed over and not yet written (its queue); the events after those wait in the
 * feed's window, which costs the client nothing. It gives up on the client, tells it {@code
 * dropped} and closes, when:
 *
 * <ul>
 *   <li>its queue is full, more events wait, and the sink writes none of them for {@link #STALL}:
 *       the client does not read ({@link #STALLED});
 *   <li>the next event it needs has left the feed's window: it is too far behind ({@link #BEHIND}).
 * </ul>
 *
 * <p>A burst of events is not an overflow: a client that reads keeps writing its queue, however
 * many events wait. The feed is never held up by a client: publishing only wakes it.
 *
 * <p>Thread confined: everything but {@link #published()} and {@link #closed()} runs on the
 * client's executor (its connection's IO thread), and so do the sink's callbacks.
 */
public final class StreamClient implements LiveOrders.Subscriber {

  /** The most events handed to the connection and not yet written. */
  static final int MAX_IN_FLIGHT = 1_000;

  /** How long a client with a full queue may write nothing before it is dropped. */
  public static final Duration STALL = Duration.ofSeconds(10);

  /** Why a client that does not read is dropped. */
  static final String STALLED =
      "the client read none of the last "
          + MAX_IN_FLIGHT
          + " events for "
          + STALL.toSeconds()
          + " s";

  /** Why a client that fell out of the window is dropped. */
  static final String BEHIND = "the client fell further behind than the events this instance keeps";

  /** Where a client's events go: its stream connection. */
  interface Sink {
    /**
     * Queues {@code event} for writing. When it is written, the sink calls {@link
     * StreamClient#written()} on the client's executor; if the connection closes first, {@link
     * StreamClient#closed()}.
     */
    void send(LiveOrders.LiveEvent event);

    /**
     * Tells the client why it is dropped ({@code event: dropped}) and closes the connection, soon
     * even if that cannot be written.
     */
    void drop(String reason);

    /** Calls {@link StreamClient#checkStalled()} on the client's executor after {@code delay}. */
    void checkLater(Duration delay);
  }

  private final LiveOrders feed;
  private final Executor executor;
  private final Sink sink;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile boolean over;

  // Confined to the executor:
  private long handed;
  private int inFlight;
  private long written;
  private boolean stallCheckPending;
  private long writtenAtStallCheck;

  /**
   * A client that gets the events after number {@code after}; it starts when it is subscribed to
   * the feed and {@link #published()} is called once.
   */
  StreamClient(LiveOrders feed, long after, Executor executor, Sink sink) {
    this.feed = Objects.requireNonNull(feed, "feed");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.handed = after;
  }

  /** Schedules handing the new events over, once however often it is called meanwhile. */
  @Override
  public void published() {
    if (!over && drainScheduled.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  /** The sink wrote one more event (the oldest it had). */
  void written() {
    if (over) {
      return;
    }
    inFlight--;
    written++;
    if (feed.last() > handed) {
      published();
    }
  }

  /** The sink's check after a full queue: drops the client if it wrote nothing meanwhile. */
  void checkStalled() {
    stallCheckPending = false;
    if (over || !overflowing()) {
      return;
    }
    if (written == writtenAtStallCheck) {
      drop(STALLED);
      return;
    }
    watchForStall();
  }

  /** The connection closed: the client stops. Any thread. */
  void closed() {
    over = true;
    feed.unsubscribe(this);
  }

  /** Whether the client was dropped or closed. */
  boolean isOver() {
    return over;
  }

  /** The number of the last event handed to the sink. */
  long handed() {
    return handed;
  }

  private void drain() {
    drainScheduled.set(false);
    while (!over && inFlight < MAX_IN_FLIGHT) {
      LiveOrders.Slice slice = feed.read(handed, MAX_IN_FLIGHT - inFlight);
      if (slice.lost()) {
        drop(BEHIND);
        return;
      }
      if (slice.events().isEmpty()) {
        return;
      }
      for (LiveOrders.LiveEvent event : slice.events()) {
        if (over) {
          return;
        }
        inFlight++;
        handed = event.sequence();
        sink.send(event);
      }
    }
    if (!over && overflowing() && !stallCheckPending) {
      watchForStall();
    }
  }

  /** A full queue and more events waiting. */
  private boolean overflowing() {
    return inFlight >= MAX_IN_FLIGHT && feed.last() > handed;
  }

  private void watchForStall() {
    stallCheckPending = true;
    writtenAtStallCheck = written;
    sink.checkLater(STALL);
  }

  private void drop(String reason) {
    over = true;
    feed.unsubscribe(this);
    sink.drop(reason);
  }
}
