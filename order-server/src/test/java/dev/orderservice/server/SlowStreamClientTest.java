package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.server.feed.StreamClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A stream client that never reads: a raw socket with a small receive buffer that asks for the
 * stream and reads nothing. The server drops it (its queue fills, it writes nothing for the stall
 * time), while the ingest stores a burst of orders as fast as without it and a client that reads
 * gets every one of them.
 */
class SlowStreamClientTest {

  /**
   * Enough events to fill what the kernel buffers for a client that does not read (on loopback,
   * about 2 MB of the server's socket send buffer, some 7,000 events) and the client's queue behind
   * it.
   */
  private static final int BURST = 12_000;

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final RandomOrders ORDERS = new RandomOrders(4711);

  @Test
  void aClientThatNeverReadsIsDroppedWhileTheIngestKeepsItsRate() throws Exception {
    String jdbcUrl = TestStack.jdbcUrlWithOwnSchema("slow");
    String topic = TestStack.newTopic("slow");
    try (OrderServer server = TestStack.startServer(jdbcUrl, topic)) {
      Http http = new Http(server);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> metric(http, "order_live_listener_listening") == 1);
      Duration alone = storeBurst(topic, jdbcUrl, BURST);
      // The clients come after the feed has published the first burst: they start with the next.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> metric(http, "order_live_events_published_total") >= BURST);

      try (Socket stuck = neverReading(server);
          EventStream reader = EventStream.open(server)) {
        reader.awaitStart();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> metric(http, "order_live_stream_clients") == 2);

        Duration withStuck = storeBurst(topic, jdbcUrl, 2 * BURST);

        System.out.printf(
            "SlowStreamClientTest: %d orders stored in %d ms alone, %d ms with a stuck client%n",
            BURST, alone.toMillis(), withStuck.toMillis());
        assertThat(withStuck).isLessThan(alone.multipliedBy(3).plusSeconds(5));
        reader.awaitOrders(BURST, Duration.ofSeconds(60));
        assertThat(reader.orders())
            .extracting(EventStream.Event::number)
            .as("every one of the second burst, once, in order")
            .containsExactlyElementsOf(
                LongStream.rangeClosed(BURST + 1, 2 * BURST).boxed().toList());
        await()
            .atMost(StreamClient.STALL.plusSeconds(30))
            .until(() -> metric(http, "order_live_clients_dropped_total") == 1);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> metric(http, "order_live_stream_clients") == 1);
        assertThat(readsToTheEnd(stuck)).as("the server closed the stuck connection").isTrue();
        assertThat(reader.ended()).as("the reading client stays").isFalse();
      }
    }
  }

  /** Produces {@code BURST} orders at once; how long until the database holds {@code total}. */
  private static Duration storeBurst(String topic, String jdbcUrl, int total) {
    long started = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = TestStack.producer()) {
      for (int i = 0; i < BURST; i++) {
        Order order = ORDERS.next();
        producer.send(
            new ProducerRecord<>(topic, order.orderUid().getBytes(UTF_8), CODEC.encode(order)));
      }
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> TestStack.countOrders(jdbcUrl) >= total);
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** Asks for the stream over a socket with a small receive buffer, and never reads it. */
  private static Socket neverReading(OrderServer server) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(1024);
    socket.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5_000);
    socket
        .getOutputStream()
        .write(
            ("GET /orders/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /** Reads what the socket holds until the server's close ends it: true, or false if it stays. */
  private static boolean readsToTheEnd(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    byte[] buffer = new byte[65_536];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        read.write(buffer, 0, n);
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static double metric(Http http, String name) {
    Scrape metrics = Scrape.parse(Http.text(http.get("/metrics")));
    return metrics.has(name) ? metrics.value(name) : -1;
  }
}
