package dev.orderservice.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver for the tests, on the JDK's HTTP server: takes what an OpenTelemetry SDK
 * posts to {@code /v1/traces} (protobuf, gzipped or not), decodes it with the OpenTelemetry proto
 * classes, keeps every span with its resource, and answers 200 as a collector does. Counts every
 * request, whatever its path. Thread safe.
 */
final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();

  private OtlpReceiver(HttpServer server) {
    this.server = server;
    server.createContext("/", this::receive);
    server.start();
  }

  /** A receiver on a free port of 127.0.0.1. */
  static OtlpReceiver start() throws IOException {
    return new OtlpReceiver(HttpServer.create(new InetSocketAddress(loopback(), 0), 0));
  }

  /** A receiver on {@code port} of 127.0.0.1, or empty if something else has it. */
  static Optional<OtlpReceiver> startOn(int port) throws IOException {
    try {
      return Optional.of(
          new OtlpReceiver(HttpServer.create(new InetSocketAddress(loopback(), port), 0)));
    } catch (BindException taken) {
      return Optional.empty();
    }
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT says to send here. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every span received so far, in order of arrival. */
  List<Received> spans() {
    return List.copyOf(spans);
  }

  /** How many requests came, to any path. */
  int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void receive(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      byte[] body = body(exchange);
      if (!exchange.getRequestURI().getPath().equals("/v1/traces")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
      for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
        for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
          for (Span span : scope.getSpansList()) {
            spans.add(new Received(resourceSpans.getResource(), span));
          }
        }
      }
      byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    }
  }

  private static byte[] body(HttpExchange exchange) throws IOException {
    InputStream in = exchange.getRequestBody();
    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    return in.readAllBytes();
  }

  private static InetAddress loopback() throws IOException {
    return InetAddress.getByName("127.0.0.1");
  }

  /** A span as received, with the resource (the service) that sent it. */
  record Received(Resource resource, Span span) {

    String name() {
      return span.getName();
    }

    String traceId() {
      return HexFormat.of().formatHex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return HexFormat.of().formatHex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
    }

    /** The trace ids of the span's links. */
    List<String> linkedTraceIds() {
      List<String> ids = new ArrayList<>();
      span.getLinksList()
          .forEach(link -> ids.add(HexFormat.of().formatHex(link.getTraceId().toByteArray())));
      return ids;
    }

    /** An attribute's value as text (a number as its digits), or empty if the span has none. */
    Optional<String> attribute(String key) {
      return value(span.getAttributesList(), key);
    }

    /** A resource attribute's value as text, e.g. {@code service.name}. */
    Optional<String> resourceAttribute(String key) {
      return value(resource.getAttributesList(), key);
    }

    private static Optional<String> value(List<KeyValue> attributes, String key) {
      return attributes.stream()
          .filter(attribute -> attribute.getKey().equals(key))
          .map(KeyValue::getValue)
          .map(Received::text)
          .findFirst();
    }

    private static String text(AnyValue value) {
      return switch (value.getValueCase()) {
        case STRING_VALUE -> value.getStringValue();
        case INT_VALUE -> Long.toString(value.getIntValue());
        case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
        case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
        default -> value.toString();
      };
    }
  }
}
