package dev.orderservice.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A client of one server's {@code GET /orders/stream}: notes when each order's event arrives
 * ({@link System#nanoTime()}, first arrival only). Reads on a thread of its own, over a plain
 * socket, so that what is measured is the server's writing, not a client library's buffering.
 */
final class FeedWatcher implements AutoCloseable {

  private static final byte[] UID = "\"order_uid\":\"".getBytes(StandardCharsets.US_ASCII);

  private final Socket socket;
  private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
  private final CountDownLatch connected = new CountDownLatch(1);
  private final Thread reader;
  private volatile boolean closed;

  private FeedWatcher(Socket socket, String name) {
    this.socket = socket;
    this.reader = new Thread(this::read, "feed-watcher-" + name);
    reader.setDaemon(true);
  }

  /** Opens the stream and waits until the server has answered its headers. */
  static FeedWatcher open(URI server, String name) throws IOException, InterruptedException {
    Socket socket = new Socket(server.getHost(), server.getPort());
    socket.setTcpNoDelay(true);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET /orders/stream HTTP/1.1\r\nHost: "
                + server.getHost()
                + "\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    FeedWatcher watcher = new FeedWatcher(socket, name);
    watcher.reader.start();
    if (!watcher.connected.await(30, TimeUnit.SECONDS)) {
      watcher.close();
      throw new IOException("the live stream of " + server + " did not answer");
    }
    return watcher;
  }

  /** When the event of {@code uid} arrived, or null. */
  Long arrival(String uid) {
    return arrivals.get(uid);
  }

  int seen() {
    return arrivals.size();
  }

  private void read() {
    try (InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16)) {
      String status = HttpLines.read(in);
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IOException("the live stream answered " + status);
      }
      boolean chunked = false;
      for (String header = HttpLines.read(in); !header.isEmpty(); header = HttpLines.read(in)) {
        chunked |= header.toLowerCase().startsWith("transfer-encoding: chunked");
      }
      connected.countDown();
      // A read or a chunk may end inside an event: uids are looked for in complete events only.
      Carry carry = new Carry();
      if (!chunked) {
        byte[] window = new byte[1 << 16];
        for (int n = in.read(window); n > 0; n = in.read(window)) {
          carry.add(Arrays.copyOf(window, n), this::scan);
        }
        return;
      }
      while (!closed) {
        int size = HttpLines.chunkSize(in);
        if (size == 0) {
          return;
        }
        byte[] chunk = in.readNBytes(size);
        HttpLines.read(in); // the CRLF after the chunk
        carry.add(chunk, this::scan);
      }
    } catch (IOException e) {
      if (!closed) {
        System.err.println("live stream ended: " + e);
      }
    } finally {
      connected.countDown();
    }
  }

  /** Notes every uid of complete events in {@code bytes[0..length)}. */
  private void scan(byte[] bytes, int length) {
    long now = System.nanoTime();
    for (int i = indexOf(bytes, length, 0); i >= 0; i = indexOf(bytes, length, i)) {
      int start = i + UID.length;
      int end = start;
      while (end < length && bytes[end] != '"') {
        end++;
      }
      if (end == length) {
        return;
      }
      arrivals.putIfAbsent(new String(bytes, start, end - start, StandardCharsets.US_ASCII), now);
      i = end;
    }
  }

  private static int indexOf(byte[] bytes, int length, int from) {
    outer:
    for (int i = from; i <= length - UID.length; i++) {
      for (int j = 0; j < UID.length; j++) {
        if (bytes[i + j] != UID[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Bytes of events not complete yet, kept until the chunk that completes them. */
  private static final class Carry {
    private byte[] pending = new byte[0];

    interface Scanner {
      void scan(byte[] bytes, int length);
    }

    void add(byte[] chunk, Scanner scanner) {
      byte[] all = new byte[pending.length + chunk.length];
      System.arraycopy(pending, 0, all, 0, pending.length);
      System.arraycopy(chunk, 0, all, pending.length, chunk.length);
      int lastEnd = lastEventEnd(all);
      if (lastEnd < 0) {
        pending = all;
        return;
      }
      scanner.scan(all, lastEnd);
      pending = Arrays.copyOfRange(all, lastEnd, all.length);
    }

    /** The index after the last blank line (the end of an event), or -1. */
    private static int lastEventEnd(byte[] bytes) {
      for (int i = bytes.length - 1; i > 0; i--) {
        if (bytes[i] == '\n' && bytes[i - 1] == '\n') {
          return i + 1;
        }
      }
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    socket.close();
  }
}
