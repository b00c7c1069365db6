package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The 1 MiB limit of write requests, enforced while reading: a document of exactly the limit is
 * accepted; anything larger is refused with 413 long before the client has sent it all. Oversized
 * bodies are sent over a raw socket, counting what the client got to write before the answer came.
 * With a Content-Length over the limit the server reads nothing, so only the socket buffers fill; a
 * chunked body is read up to the limit, and the buffers, which grew while the server read, take
 * some more.
 */
class BodyLimitTest {

  private static final int LIMIT = OrderCodec.DEFAULT_MAX_BYTES;
  private static final int FIVE_MIB = 5 * 1024 * 1024;
  private static final String TOO_LARGE =
      "{\"error\":\"the document is over the limit of 1048576 bytes\"}";

  private static OrderServer server;
  private static Http http;
  private static final RandomOrders ORDERS = new RandomOrders(77);

  @BeforeAll
  static void startServer() {
    server =
        TestStack.startServer(
            TestStack.jdbcUrlWithOwnSchema("limits"), TestStack.newTopic("limits"));
    http = new Http(server);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aDocumentOfExactlyTheLimitIsAcceptedAsJsonAndAsAnUpload() {
    assertThat(http.postJson("/orders", paddedTo(LIMIT, ORDERS.next())).statusCode())
        .isEqualTo(201);
    assertThat(http.upload(paddedTo(LIMIT, ORDERS.next())).statusCode()).isEqualTo(201);
  }

  @Test
  void oneByteOverTheLimitIsTooLarge() throws Exception {
    Exchange json = send("/orders", "application/json", paddedTo(LIMIT + 1, ORDERS.next()), false);

    assertThat(json.statusLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(json.body()).isEqualTo(TOO_LARGE);
  }

  @Test
  void aFiveMibJsonBodyIsRefusedWithoutBeingRead() throws Exception {
    Exchange exchange = send("/orders", "application/json", new byte[FIVE_MIB], false);

    assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(exchange.body()).isEqualTo(TOO_LARGE);
    assertThat(exchange.bytesWritten()).isLessThan(2 * LIMIT);
  }

  @Test
  void aFiveMibChunkedJsonBodyIsCutOffAtTheLimit() throws Exception {
    Exchange exchange = send("/orders", "application/json", new byte[FIVE_MIB], true);

    assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(exchange.bytesWritten()).isLessThan(4 * LIMIT);
  }

  @Test
  void aFiveMibFileUploadIsRefusedWithoutBeingRead() throws Exception {
    String boundary = "limit-test-boundary";
    byte[] body = Http.multipart(boundary, "order_file", new byte[FIVE_MIB]);

    Exchange exchange =
        send("/orders/create", "multipart/form-data; boundary=" + boundary, body, false);

    assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(exchange.body()).isEqualTo(TOO_LARGE);
    assertThat(exchange.bytesWritten()).isLessThan(2 * LIMIT);
  }

  @Test
  void aFiveMibChunkedFileUploadIsCutOffAtTheLimit() throws Exception {
    String boundary = "limit-test-boundary";
    byte[] body = Http.multipart(boundary, "order_file", new byte[FIVE_MIB]);

    Exchange exchange =
        send("/orders/create", "multipart/form-data; boundary=" + boundary, body, true);

    assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(exchange.bytesWritten()).isLessThan(4 * LIMIT);
  }

  /** The canonical JSON of {@code order} followed by spaces up to {@code size} bytes. */
  private static byte[] paddedTo(int size, Order order) {
    byte[] json = OrderCodec.standard().encode(order);
    byte[] padded = Arrays.copyOf(json, size);
    Arrays.fill(padded, json.length, size, (byte) ' ');
    return padded;
  }

  /**
   * Writes a POST with {@code body} over a raw socket with a small send buffer, while another
   * thread reads the answer; stops writing as soon as the answer is in or the server closed the
   * connection.
   */
  private static Exchange send(String path, String contentType, byte[] body, boolean chunked)
      throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSendBufferSize(64 * 1024);
      socket.setSoTimeout(30_000);
      socket.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5_000);
      CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> readAll(socket));
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: "
              + contentType
              + "\r\n"
              + (chunked
                  ? "Transfer-Encoding: chunked\r\n"
                  : "Content-Length: " + body.length + "\r\n")
              + "\r\n";
      out.write(head.getBytes(US_ASCII));
      int written = 0;
      int chunk = 16 * 1024;
      try {
        while (written < body.length && !answer.isDone()) {
          int n = Math.min(chunk, body.length - written);
          if (chunked) {
            out.write((Integer.toHexString(n) + "\r\n").getBytes(US_ASCII));
          }
          out.write(body, written, n);
          if (chunked) {
            out.write("\r\n".getBytes(US_ASCII));
          }
          written += n;
        }
        if (chunked && written == body.length) {
          out.write("0\r\n\r\n".getBytes(US_ASCII));
        }
        out.flush();
      } catch (IOException closedByServer) {
        // The server answered and closed the connection: exactly what should happen.
      }
      byte[] response = answer.get(30, TimeUnit.SECONDS);
      return Exchange.of(new String(response, UTF_8), written);
    }
  }

  private static byte[] readAll(Socket socket) {
    ByteArrayOutputStream response = new ByteArrayOutputStream();
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        response.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // A reset after the answer: keep what arrived.
    }
    return response.toByteArray();
  }

  /** What the server answered and how much of the body the client got to write before that. */
  private record Exchange(String statusLine, String body, int bytesWritten) {
    static Exchange of(String response, int written) {
      int endOfStatus = response.indexOf("\r\n");
      int endOfHead = response.indexOf("\r\n\r\n");
      return new Exchange(
          endOfStatus < 0 ? response : response.substring(0, endOfStatus),
          endOfHead < 0 ? "" : response.substring(endOfHead + 4),
          written);
    }
  }
}
