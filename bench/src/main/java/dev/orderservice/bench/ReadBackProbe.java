package dev.orderservice.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads orders back as a client that has just sent one does: {@code GET /orders/{uid}} again every
 * {@code interval} until it is answered 200, and notes when ({@link System#nanoTime()}). Each
 * thread keeps a keep-alive connection to every server, over a plain socket.
 */
final class ReadBackProbe implements AutoCloseable {

  private final List<URI> servers;
  private final long intervalNanos;
  private final long giveUpNanos;
  private final DelayQueue<Probe> due = new DelayQueue<>();
  private final Map<String, Long> answered = new ConcurrentHashMap<>();
  private final Map<String, Long> abandoned = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private final Thread[] threads;
  private volatile boolean closed;

  ReadBackProbe(List<URI> servers, int threads, long intervalNanos, long giveUpNanos) {
    this.servers = servers;
    this.intervalNanos = intervalNanos;
    this.giveUpNanos = giveUpNanos;
    this.threads = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      this.threads[i] = new Thread(this::probe, "read-back-" + i);
      this.threads[i].setDaemon(true);
      this.threads[i].start();
    }
  }

  /** Starts reading {@code uid} back from server number {@code server}, now. */
  void watch(String uid, int server, long sentAt) {
    due.add(new Probe(uid, server, sentAt, System.nanoTime()));
  }

  /** When {@code uid} was first answered 200, or null. */
  Long answeredAt(String uid) {
    return answered.get(uid);
  }

  int pending() {
    return due.size();
  }

  int abandoned() {
    return abandoned.size();
  }

  long requests() {
    return requests.get();
  }

  private void probe() {
    Connection[] connections = new Connection[servers.size()];
    try {
      while (!closed) {
        Probe probe = due.poll(100, TimeUnit.MILLISECONDS);
        if (probe == null) {
          continue;
        }
        Connection c = connections[probe.server];
        if (c == null) {
          c = connections[probe.server] = new Connection(servers.get(probe.server));
        }
        int status = c.get("/orders/" + probe.uid);
        requests.incrementAndGet();
        long now = System.nanoTime();
        if (status == 200) {
          answered.put(probe.uid, now);
        } else if (status != 404) {
          throw new IOException("GET /orders/" + probe.uid + " answered " + status);
        } else if (now - probe.sentAt > giveUpNanos) {
          abandoned.put(probe.uid, now);
        } else {
          due.add(
              new Probe(probe.uid, probe.server, probe.sentAt, now + interval(now - probe.sentAt)));
        }
      }
    } catch (IOException e) {
      if (!closed) {
        System.err.println("read-back probe failed: " + e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (Connection c : connections) {
        if (c != null) {
          c.close();
        }
      }
    }
  }

  /**
   * How long to wait before reading again an order sent {@code age} ago: the interval while the
   * order is young (the figures that matter), longer after 50 ms and 200 ms, so that a slow run is
   * not made slower by ever more reads of the orders that are late.
   */
  private long interval(long age) {
    if (age < 50_000_000L) {
      return intervalNanos;
    }
    return age < 200_000_000L ? 5 * intervalNanos : 25 * intervalNanos;
  }

  @Override
  public void close() {
    closed = true;
    for (Thread thread : threads) {
      thread.interrupt();
    }
  }

  private record Probe(String uid, int server, long sentAt, long dueAt) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueAt - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(dueAt, ((Probe) other).dueAt);
    }
  }

  /** One keep-alive HTTP/1.1 connection. */
  private static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;

    Connection(URI server) throws IOException {
      socket = new Socket(server.getHost(), server.getPort());
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      host = server.getHost();
    }

    /** Sends a GET and reads the whole answer; returns its status. */
    int get(String path) throws IOException {
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      long length = -1;
      boolean chunked = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase();
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      if (chunked) {
        for (int size = chunk(); size > 0; size = chunk()) {
          in.skipNBytes(size);
          line();
        }
        line();
      } else if (length > 0) {
        in.skipNBytes(length);
      }
      return status;
    }

    private int chunk() throws IOException {
      return HttpLines.chunkSize(in);
    }

    private String line() throws IOException {
      return HttpLines.read(in);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
