package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of {@code GET /orders/stream} for tests: reads the Server-Sent Events on a thread of its
 * own, as an {@code EventSource} parses them, and keeps every block it read (events, and blocks
 * with only an {@code id} or a {@code retry}) and how many comment lines came. Thread safe.
 */
final class EventStream implements AutoCloseable {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** One block of fields, ended by a blank line; absent fields are null. */
  record Event(String id, String event, String data, String retry) {

    JsonNode json() {
      try {
        return Http.JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + data, e);
      }
    }

    /** The order_uid of an {@code order} event's summary. */
    String orderUid() {
      return json().path("order_uid").asText();
    }

    /** n of an id {@code <epoch>-<n>}. */
    long number() {
      return Long.parseLong(id.substring(id.indexOf('-') + 1));
    }

    String epoch() {
      return id.substring(0, id.indexOf('-'));
    }
  }

  private final HttpResponse<InputStream> response;
  private final List<Event> blocks = new ArrayList<>();
  private final AtomicInteger comments = new AtomicInteger();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final Thread reader;

  private EventStream(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "event-stream-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code orders/stream} (plus {@code query}) of the server at {@code base}. */
  static EventStream open(URI base, String query, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve("orders/stream" + query))
            .header("Accept", "text/event-stream")
            .GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return new EventStream(
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static EventStream open(OrderServer server, String... headers) {
    return open(server.baseUri(), "", headers);
  }

  HttpResponse<InputStream> response() {
    return response;
  }

  /** Every block read so far. */
  synchronized List<Event> blocks() {
    return List.copyOf(blocks);
  }

  /** The {@code order} events read so far. */
  synchronized List<Event> orders() {
    return blocks.stream().filter(b -> "order".equals(b.event())).toList();
  }

  /** The first block with this event name. */
  synchronized Optional<Event> first(String event) {
    return blocks.stream().filter(b -> event.equals(b.event())).findFirst();
  }

  int comments() {
    return comments.get();
  }

  /** Whether the server ended the stream. */
  boolean ended() {
    return ended.get();
  }

  /** Waits until the stream has said where it starts (its first block after {@code retry}). */
  List<Event> awaitStart() {
    await().atMost(Duration.ofSeconds(30)).until(() -> blocks().size() >= 2 || ended());
    return blocks().subList(0, Math.min(2, blocks().size()));
  }

  /** Waits until at least {@code count} order events came, and returns them all. */
  List<Event> awaitOrders(int count, Duration patience) {
    await()
        .atMost(patience)
        .failFast("the stream ended", this::ended)
        .until(() -> orders().size() >= count);
    return orders();
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      // closing anyway
    }
    reader.interrupt();
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = null;
      String retry = null;
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.isEmpty()) {
          if (id != null || event != null || data != null || retry != null) {
            add(new Event(id, event, data == null ? null : data.toString(), retry));
          }
          id = null;
          event = null;
          data = null;
          retry = null;
        } else if (line.startsWith(":")) {
          comments.incrementAndGet();
        } else {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          value = value.startsWith(" ") ? value.substring(1) : value;
          switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "retry" -> retry = value;
            case "data" ->
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {
              // ignored, as EventSource does
            }
          }
        }
      }
    } catch (IOException e) {
      // closed by the test or the server
    } finally {
      ended.set(true);
    }
  }

  private synchronized void add(Event block) {
    blocks.add(block);
  }
}
