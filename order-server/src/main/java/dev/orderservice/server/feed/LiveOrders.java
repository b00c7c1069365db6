package dev.orderservice.server.feed;

import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.OrderSummaryJson;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.persistence.StoredOrdersListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feed of stored orders on this instance: every order the stored-orders listener hears,
 * whichever instance stored it, in the order it hears them (commit order), each as an event with an
 * id {@code <epoch>-<n>}: the epoch, 8 random base-36 characters, is new at every start of the
 * server; n counts 1, 2, 3, ... So an id says both where in the feed an event is and which feed it
 * is from.
 *
 * <p>The last {@value #REPLAY_WINDOW} events are kept, so that a client that lost its connection
 * resumes right after the last event it saw ({@link #resume}); one whose id is from another feed
 * (another instance, or before a restart), or older than the window, is told to reload instead.
 *
 * <p>Publishing stores the events in the window and wakes the subscribers ({@link
 * Subscriber#published()}), nothing more: each subscriber (a stream client, a waiting poll) then
 * reads the window at its own pace, on its own thread ({@link #read}). So the listener's thread
 * never waits for a client, and a client costs the feed no copy of the events.
 *
 * <p>Thread safe: {@link #publish} is serialized (the listener calls it from its one thread); any
 * thread reads, resumes, subscribes.
 */
public final class LiveOrders {

  /** How many of the latest events are kept for clients that resume. */
  public static final int REPLAY_WINDOW = 10_000;

  /** What a reload event says when the client's id is from another feed. */
  public static final String OTHER_FEED =
      "the last event id is from another instance or from before a restart of this one";

  /** What a reload event says when the client's id is too old. */
  static final String TOO_OLD = "the last event id is older than the events this instance keeps";

  /** What a reload event says when the client's id is not one of this feed's. */
  static final String UNKNOWN = "the last event id is not one this instance gave out";

  private static final Logger LOG = LoggerFactory.getLogger(LiveOrders.class);
  private static final Pattern EPOCH = Pattern.compile("[0-9a-z]{8}");
  private static final Pattern ID = Pattern.compile("([0-9a-z]{8})-([0-9]{1,18})");
  private static final String BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";

  private final String epoch;
  private final int window;
  private final AtomicReferenceArray<LiveEvent> events;
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final AtomicLong published = new AtomicLong();

  /** The number of the newest event; 0 before the first. Written after its event is stored. */
  private volatile long last;

  /** A feed with a new random epoch and a window of {@value #REPLAY_WINDOW} events. */
  public LiveOrders() {
    this(randomEpoch(), REPLAY_WINDOW);
  }

  /**
   * @param epoch 8 characters of {@code [0-9a-z]}
   * @param window how many of the latest events are kept, at least 1
   */
  LiveOrders(String epoch, int window) {
    if (!EPOCH.matcher(epoch).matches()) {
      throw new IllegalArgumentException("an epoch is 8 characters of [0-9a-z]");
    }
    if (window < 1) {
      throw new IllegalArgumentException("the window must hold at least one event");
    }
    this.epoch = epoch;
    this.window = window;
    this.events = new AtomicReferenceArray<>(window);
  }

  /**
   * One event of the feed: its number, its id, the order's summary and its {@link
   * OrderSummaryJson}, and when it was published ({@link System#nanoTime()}).
   */
  record LiveEvent(
      long sequence, String id, OrderSummary summary, String json, long publishedAtNanos) {}

  /** What a subscriber is told. */
  interface Subscriber {
    /**
     * There are new events. Called on the publishing thread, so it must not block or take long: a
     * subscriber typically schedules a {@link #read} on its own thread.
     */
    void published();
  }

  /**
   * Where a client resumes.
   *
   * @param after the number of the last event the client has; it gets those after it
   * @param reload why the client must reload first, when it cannot simply resume
   */
  record Resume(long after, Optional<String> reload) {}

  /**
   * Events after a number.
   *
   * @param events the events, oldest first
   * @param lost whether the event right after the number has already left the window
   */
  record Slice(List<LiveEvent> events, boolean lost) {}

  /** Counts what is published: {@code order_live_events_published_total}. */
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("order.live.events.published", published, AtomicLong::get)
        .description("Orders published to the live feed (stream and polls) of this instance.")
        .register(registry);
  }

  /**
   * Appends {@code orders} to the feed, in order, and wakes the subscribers. Never waits for one.
   */
  synchronized void publish(List<OrderSummary> orders) {
    if (orders.isEmpty()) {
      return;
    }
    long sequence = last;
    long now = System.nanoTime();
    for (OrderSummary order : orders) {
      sequence++;
      String json = OrderSummaryJson.toJson(order);
      events.set(slot(sequence), new LiveEvent(sequence, id(sequence), order, json, now));
    }
    last = sequence;
    published.addAndGet(orders.size());
    for (Subscriber subscriber : subscribers) {
      try {
        subscriber.published();
      } catch (RuntimeException e) {
        LOG.warn("a live feed subscriber failed when woken: {}", e.toString());
      }
    }
  }

  /**
   * Replaces, in the window, the events of orders whose personal data was erased or that were
   * deleted, so that a client that resumes is never sent what was erased: each keeps its number and
   * id and shows the order's summary after the erasure, or, without one (a deleted order), the
   * summary it showed with {@link PersonalData#MARKER} for the customer. Events already sent stay
   * sent.
   *
   * @return how many events it replaced
   */
  synchronized int redact(List<StoredOrdersListener.Erased> erased) {
    Map<String, Optional<OrderSummary>> byUid = new HashMap<>();
    for (StoredOrdersListener.Erased e : erased) {
      byUid.put(e.orderUid(), e.summary());
    }
    int replaced = 0;
    for (int slot = 0; slot < window; slot++) {
      LiveEvent event = events.get(slot);
      if (event == null || !byUid.containsKey(event.summary().orderUid())) {
        continue;
      }
      OrderSummary was = event.summary();
      OrderSummary now =
          byUid
              .get(was.orderUid())
              .orElseGet(
                  () ->
                      new OrderSummary(
                          was.orderUid(),
                          was.trackNumber(),
                          PersonalData.MARKER,
                          was.dateCreated(),
                          was.amount(),
                          was.currency(),
                          was.itemCount()));
      LiveEvent redacted =
          new LiveEvent(
              event.sequence(),
              event.id(),
              now,
              OrderSummaryJson.toJson(now),
              event.publishedAtNanos());
      // Only if the slot still holds that event: a newer one may have taken it meanwhile.
      if (events.compareAndSet(slot, event, redacted)) {
        replaced++;
      }
    }
    return replaced;
  }

  /**
   * Where a client that last saw {@code lastEventId} resumes: after it, if it is an id of this feed
   * still in the window; else it reloads and goes on from the newest event. A client that saw
   * nothing goes on from the newest event without reloading.
   */
  Resume resume(Optional<String> lastEventId) {
    long newest = last;
    if (lastEventId.isEmpty()) {
      return new Resume(newest, Optional.empty());
    }
    Matcher id = ID.matcher(lastEventId.get());
    if (!id.matches()) {
      return new Resume(newest, Optional.of(UNKNOWN));
    }
    if (!id.group(1).equals(epoch)) {
      return new Resume(newest, Optional.of(OTHER_FEED));
    }
    long sequence = Long.parseLong(id.group(2));
    if (sequence > newest) {
      return new Resume(newest, Optional.of(UNKNOWN));
    }
    if (sequence < newest - window) {
      return new Resume(newest, Optional.of(TOO_OLD));
    }
    return new Resume(sequence, Optional.empty());
  }

  /**
   * Up to {@code max} events after number {@code after}, oldest first; {@link Slice#lost()} if the
   * first of them has already left the window.
   */
  Slice read(long after, int max) {
    long newest = last;
    List<LiveEvent> slice = new ArrayList<>((int) Math.max(0, Math.min(max, newest - after)));
    for (long sequence = after + 1; sequence <= newest && slice.size() < max; sequence++) {
      LiveEvent event = events.get(slot(sequence));
      if (event == null || event.sequence() != sequence) {
        // Overwritten by a newer event: this one left the window while being read.
        return new Slice(List.of(), true);
      }
      slice.add(event);
    }
    return new Slice(slice, false);
  }

  /** The number of the newest event; 0 before the first. */
  long last() {
    return last;
  }

  /** The id of event number {@code sequence}; {@code <epoch>-0} is the place before the first. */
  String id(long sequence) {
    return epoch + "-" + sequence;
  }

  public String epoch() {
    return epoch;
  }

  /** Whether {@code value} has the form of an event id (of any feed). */
  static boolean isEventId(String value) {
    return ID.matcher(value).matches();
  }

  void subscribe(Subscriber subscriber) {
    subscribers.add(Objects.requireNonNull(subscriber, "subscriber"));
  }

  void unsubscribe(Subscriber subscriber) {
    subscribers.remove(subscriber);
  }

  private int slot(long sequence) {
    return (int) (sequence % window);
  }

  private static String randomEpoch() {
    SecureRandom random = new SecureRandom();
    StringBuilder epoch = new StringBuilder(8);
    for (int i = 0; i < 8; i++) {
      epoch.append(BASE36.charAt(random.nextInt(BASE36.length())));
    }
    return epoch.toString();
  }
}
