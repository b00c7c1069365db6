package dev.orderservice.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for an OpenTelemetry Collector that discards: an OTLP/HTTP endpoint on 127.0.0.1 that
 * reads each export request whole and answers 200 with an empty body, as a collector that accepted
 * every span does, so that the traced side of a benchmark pays for making, batching, encoding and
 * sending its spans, and for nothing a real backend would add. Counts requests and bytes. Thread
 * safe.
 */
final class OtlpSink implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  private OtlpSink() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    server.createContext("/", this::discard);
    server.setExecutor(threads);
    server.start();
  }

  static OtlpSink start() throws IOException {
    return new OtlpSink();
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT says to send here. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  long requests() {
    return requests.get();
  }

  long bytes() {
    return bytes.get();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void discard(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream body = exchange.getRequestBody()) {
      bytes.addAndGet(body.transferTo(OutputStream.nullOutputStream()));
      requests.incrementAndGet();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
    }
  }
}
