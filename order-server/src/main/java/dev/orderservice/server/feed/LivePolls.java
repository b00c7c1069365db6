package dev.orderservice.server.feed;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.orderservice.server.http.Json;
import dev.orderservice.server.http.QueryParameters;
import dev.orderservice.server.http.Responses;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.XnioExecutor;

/**
 * {@code GET /orders/events?after=<id>&wait=<seconds>}: the live feed ({@link LiveOrders}) as a
 * long poll, for clients without {@code EventSource}, or that must send an {@code Authorization}
 * header (which {@code EventSource} cannot). The answer is {@code {"events": [{"id", "order"}...],
 * "reload": false, "last_id": "<id>"}}: the events after {@code after} (at most {@value
 * #MAX_EVENTS}) as soon as there is one, else none once {@code wait} seconds (default {@value
 * #DEFAULT_WAIT}, at most {@value #MAX_WAIT}) have passed. {@code last_id} is where the next poll
 * goes on from: the last event's id, else the place waited at. Without {@code after} the poll waits
 * for the next events from the newest; with an {@code after} of another feed, or older than its
 * window, the answer is at once {@code "reload": true}, no events, and {@code last_id} the newest
 * event's id.
 *
 * <p>A waiting poll holds no thread: the exchange stays open while the feed wakes it or a timer on
 * its IO thread ends the wait. At most {@value #MAX_WAITING} polls wait at once; more are answered
 * 503.
 *
 * <p>Thread safe. {@link #close()} answers every waiting poll at once, and later polls get 503.
 */
public final class LivePolls implements AutoCloseable {

  static final String ROUTE = "GET /orders/events";
  static final int DEFAULT_WAIT = 20;
  static final int MAX_WAIT = 30;

  /** The most events in one answer; the next poll gets the rest. */
  static final int MAX_EVENTS = 1_000;

  /** The most polls waiting at once. */
  static final int MAX_WAITING = 1_000;

  private final LiveOrders feed;
  private final Set<Poll> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public LivePolls(LiveOrders feed) {
    this.feed = Objects.requireNonNull(feed, "feed");
  }

  /** Registers {@code order_live_polls_waiting}: polls waiting for events. */
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("order.live.polls.waiting", waiting, Set::size)
        .description("Long polls (GET /orders/events) waiting for events on this instance.")
        .register(registry);
  }

  /** {@code GET /orders/events}. */
  public void events(HttpServerExchange exchange) {
    QueryParameters parameters = QueryParameters.read(exchange, ROUTE, List.of("after", "wait"));
    int wait = parameters.get("wait").map(LivePolls::waitSeconds).orElse(DEFAULT_WAIT);
    Optional<String> after = parameters.get("after");
    if (after.isPresent() && !LiveOrders.isEventId(after.get())) {
      throw QueryParameters.invalid(
          "after",
          "is not an event id",
          "must be the id of an event or the last_id of an earlier answer");
    }
    if (closed) {
      throw new RejectedExecutionException("the server is shutting down");
    }
    LiveOrders.Resume resume = feed.resume(after);
    Poll poll = new Poll(exchange, resume.after());
    if (resume.reload().isPresent()) {
      poll.answerReload();
      return;
    }
    if (poll.answerIfAny()) {
      return;
    }
    if (wait == 0) {
      poll.answerNothing();
      return;
    }
    if (waiting.size() >= MAX_WAITING) {
      throw new RejectedExecutionException("too many polls waiting");
    }
    waiting.add(poll);
    feed.subscribe(poll);
    // Answered later, by the feed or the timer: the exchange stays open after this returns.
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () -> {
          poll.timer =
              exchange.getIoThread().executeAfter(poll::answerNothing, wait, TimeUnit.SECONDS);
          poll.published(); // what came between the first look and the subscription
          if (closed) {
            poll.answerNothing();
          }
        });
  }

  /** Answers every waiting poll now, with what it has (nothing), and refuses new ones. */
  @Override
  public void close() {
    closed = true;
    for (Poll poll : waiting) {
      // On the poll's IO thread, which may still be running the handler that made it wait.
      poll.exchange.getIoThread().execute(poll::answerNothing);
    }
  }

  /** How many polls wait. */
  int waiting() {
    return waiting.size();
  }

  private static int waitSeconds(String value) {
    try {
      int seconds = Integer.parseInt(value);
      if (seconds >= 0 && seconds <= MAX_WAIT) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw QueryParameters.invalid(
        "wait", "must be 0.." + MAX_WAIT, "must be a whole number of seconds 0.." + MAX_WAIT);
  }

  /** One poll: answered once, by whichever comes first. */
  private final class Poll implements LiveOrders.Subscriber {

    private final HttpServerExchange exchange;
    private final long after;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final AtomicBoolean checkScheduled = new AtomicBoolean();
    private volatile XnioExecutor.Key timer;

    Poll(HttpServerExchange exchange, long after) {
      this.exchange = exchange;
      this.after = after;
    }

    @Override
    public void published() {
      if (!answered.get() && checkScheduled.compareAndSet(false, true)) {
        exchange.getIoThread().execute(this::check);
      }
    }

    private void check() {
      checkScheduled.set(false);
      if (!answered.get()) {
        answerIfAny();
      }
    }

    /** Answers if there are events after {@code after} (or they have left the window). */
    boolean answerIfAny() {
      LiveOrders.Slice slice = feed.read(after, MAX_EVENTS);
      if (slice.lost()) {
        answerReload();
        return true;
      }
      if (slice.events().isEmpty()) {
        return false;
      }
      ArrayNode events = Json.array();
      for (LiveOrders.LiveEvent event : slice.events()) {
        events.addObject().put("id", event.id()).putRawValue("order", new RawValue(event.json()));
      }
      answer(events, false, slice.events().get(slice.events().size() - 1).id());
      return true;
    }

    void answerNothing() {
      answer(Json.array(), false, feed.id(after));
    }

    void answerReload() {
      answer(Json.array(), true, feed.id(feed.last()));
    }

    private void answer(ArrayNode events, boolean reload, String lastId) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      feed.unsubscribe(this);
      waiting.remove(this);
      XnioExecutor.Key pending = timer;
      if (pending != null) {
        pending.remove();
      }
      ObjectNode body = Json.object();
      body.set("events", events);
      body.put("reload", reload).put("last_id", lastId);
      Responses.json(exchange, StatusCodes.OK, body);
    }
  }
}
