package dev.orderservice.server.feed;

import dev.orderservice.server.http.Json;
import dev.orderservice.server.http.QueryParameters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * {@code GET /orders/stream}: the live feed ({@link LiveOrders}) as Server-Sent Events, on
 * Undertow's SSE support. A stream starts with {@code retry:2000}; then, when the client sent a
 * {@code Last-Event-ID} header (or {@code ?last_event_id=}, for clients that cannot send headers)
 * of this feed still in its window, every event after it; when the id is of another feed, too old
 * or unknown, an {@code event:reload} with {@code data:{"reason":"..."}}; with no id, an event with
 * only an {@code id:} (the newest event's), which dispatches nothing but is where a reconnecting
 * {@code EventSource} resumes. Then the live events, each as {@code id:<epoch>-<n>}, {@code
 * event:order}, {@code data:<summary JSON>}, and a comment line every heartbeat. The backlog and
 * the live events come from one place in the feed, so there is no gap and no duplicate between
 * them.
 *
 * <p>Each connection is a {@link StreamClient}: a client that does not read is told {@code
 * event:dropped} with {@code data:{"reason":"..."}} and closed, without holding anyone else up. At
 * most {@value #MAX_CLIENTS} streams are open at once; more are answered 503.
 *
 * <p>Thread safe. {@link #close()} ends every stream (what is queued is written first, for up to
 * {@link #CLOSE_GRACE}), and later streams are refused.
 */
public final class LiveStream implements AutoCloseable {

  static final String ROUTE = "GET /orders/stream";

  /** How long an {@code EventSource} waits before it reconnects. */
  static final long RETRY_MILLIS = 2_000;

  /** The most streams open at once. */
  static final int MAX_CLIENTS = 1_000;

  /** How long a stream that is dropped or shut down may take to write what it has queued. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);
  private static final HttpString LAST_EVENT_ID = new HttpString("Last-Event-ID");
  private static final String ORDER = "order";

  private final LiveOrders feed;
  private final Duration heartbeat;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;
  private volatile Timer publishedToWritten;

  /**
   * @param heartbeat how often an idle stream gets a comment line
   */
  public LiveStream(LiveOrders feed, Duration heartbeat) {
    this.feed = Objects.requireNonNull(feed, "feed");
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
  }

  /**
   * Registers {@code order_live_stream_clients} (streams open) and {@code
   * order_live_clients_dropped_total} (streams dropped because the client did not keep up).
   */
  public void bindTo(MeterRegistry registry) {
    publishedToWritten =
        Timer.builder("order.live.stage")
            .description(
                "published_to_written: from an event's publication on this instance's feed to its"
                    + " write to a stream client, per client.")
            .tag("stage", "published_to_written")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    Gauge.builder("order.live.stream.clients", connections, Set::size)
        .description("Live streams (GET /orders/stream) open on this instance.")
        .register(registry);
    FunctionCounter.builder("order.live.clients.dropped", dropped, AtomicLong::get)
        .description("Live streams closed because the client did not keep up.")
        .register(registry);
  }

  /** {@code GET /orders/stream}. */
  public void stream(HttpServerExchange exchange) throws Exception {
    QueryParameters parameters = QueryParameters.read(exchange, ROUTE, List.of("last_event_id"));
    Optional<String> lastEventId =
        Optional.ofNullable(exchange.getRequestHeaders().getFirst(LAST_EVENT_ID))
            .filter(id -> !id.isBlank())
            .or(() -> parameters.get("last_event_id"));
    if (closed || connections.size() >= MAX_CLIENTS) {
      throw new RejectedExecutionException("too many live streams");
    }
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    XnioIoThread ioThread = exchange.getIoThread();
    new ServerSentEventHandler((sse, header) -> connected(sse, ioThread, lastEventId))
        .handleRequest(exchange);
  }

  /** Ends every stream and refuses new ones. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (Connection connection : connections) {
      connection.shutdown();
    }
  }

  /** How many streams are open. */
  int clients() {
    return connections.size();
  }

  private void connected(
      ServerSentEventConnection sse, XnioIoThread ioThread, Optional<String> lastEventId) {
    Connection connection = new Connection(sse, ioThread);
    connections.add(connection);
    sse.addCloseTask(closedSse -> connection.closed());
    LiveOrders.Resume resume = feed.resume(lastEventId);
    StreamClient client = new StreamClient(feed, resume.after(), ioThread, connection);
    connection.client = client;
    sse.sendRetry(RETRY_MILLIS);
    sse.setKeepAliveTime(heartbeat.toMillis());
    String position = feed.id(resume.after());
    if (resume.reload().isPresent()) {
      sse.send(reason(resume.reload().get()), "reload", position, null);
    } else if (lastEventId.isEmpty()) {
      sse.send(null, null, position, null);
    }
    feed.subscribe(client);
    if (closed || !sse.isOpen()) {
      // Closed before the close task was in place, or the server is closing: end here.
      connection.shutdown();
      connection.closed();
      return;
    }
    client.published();
  }

  private static String reason(String reason) {
    return Json.object().put("reason", reason).toString();
  }

  /** One open stream: the sink of its {@link StreamClient}. */
  private final class Connection implements StreamClient.Sink {

    private final ServerSentEventConnection sse;
    private final XnioIoThread ioThread;
    private final ServerSentEventConnection.EventCallback writtenOrFailed;
    private volatile StreamClient client;

    Connection(ServerSentEventConnection sse, XnioIoThread ioThread) {
      this.sse = sse;
      this.ioThread = ioThread;
      this.writtenOrFailed =
          new ServerSentEventConnection.EventCallback() {
            @Override
            public void done(
                ServerSentEventConnection connection, String data, String event, String id) {
              client.written();
            }

            @Override
            public void failed(
                ServerSentEventConnection connection,
                String data,
                String event,
                String id,
                IOException e) {
              closed();
            }
          };
    }

    @Override
    public void send(LiveOrders.LiveEvent event) {
      Timer timer = publishedToWritten;
      if (timer == null) {
        sse.send(event.json(), ORDER, event.id(), writtenOrFailed);
        return;
      }
      sse.send(
          event.json(),
          ORDER,
          event.id(),
          new ServerSentEventConnection.EventCallback() {
            @Override
            public void done(ServerSentEventConnection c, String data, String name, String id) {
              timer.record(System.nanoTime() - event.publishedAtNanos(), TimeUnit.NANOSECONDS);
              writtenOrFailed.done(c, data, name, id);
            }

            @Override
            public void failed(
                ServerSentEventConnection c, String data, String name, String id, IOException e) {
              writtenOrFailed.failed(c, data, name, id, e);
            }
          });
    }

    @Override
    public void drop(String reason) {
      dropped.incrementAndGet();
      LOG.info(
          "live stream dropped, {} (at event {}, the feed is at {})",
          reason,
          client.handed(),
          feed.last());
      sse.send(reason(reason), "dropped", null, null);
      shutdown();
    }

    @Override
    public void checkLater(Duration delay) {
      ioThread.executeAfter(client::checkStalled, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Writes what is queued, then closes; closes anyway after {@link #CLOSE_GRACE}. */
    void shutdown() {
      sse.shutdown();
      ioThread.executeAfter(
          () -> IoUtils.safeClose(sse), CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    void closed() {
      connections.remove(this);
      StreamClient current = client;
      if (current != null) {
        current.closed();
      }
    }
  }
}
