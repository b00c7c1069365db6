package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/** A small HTTP client for one server, on {@link HttpClient}. Thread safe. */
final class Http {

  static final ObjectMapper JSON = new ObjectMapper();

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI base;

  Http(URI base) {
    this.base = base;
  }

  Http(OrderServer server) {
    this(server.baseUri());
  }

  /** A GET of {@code path} with the given header pairs. */
  HttpResponse<byte[]> get(String path, String... headers) {
    HttpRequest.Builder request = request(path).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  /** A GET of {@code rawPath} exactly as written: no resolving of dot segments. */
  HttpResponse<byte[]> getExactly(String rawPath) {
    String root = base.getScheme() + "://" + base.getRawAuthority();
    return send(
        HttpRequest.newBuilder(URI.create(root + rawPath))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build());
  }

  HttpResponse<byte[]> postJson(String path, byte[] body, String... headers) {
    return post(path, "application/json", body, headers);
  }

  HttpResponse<byte[]> post(String path, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder request =
        request(path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  /** {@code POST /orders/create} with {@code document} as the file field {@code order_file}. */
  HttpResponse<byte[]> upload(byte[] document, String... headers) {
    return uploadField("order_file", document, headers);
  }

  HttpResponse<byte[]> uploadField(String field, byte[] document, String... headers) {
    String boundary = "----test" + UUID.randomUUID().toString().replace("-", "");
    return post(
        "/orders/create",
        "multipart/form-data; boundary=" + boundary,
        multipart(boundary, field, document),
        headers);
  }

  static byte[] multipart(String boundary, String field, byte[] document) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        ("--"
                + boundary
                + "\r\n"
                + "Content-Disposition: form-data; name=\""
                + field
                + "\"; filename=\"order.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n")
            .getBytes(UTF_8));
    body.writeBytes(document);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(UTF_8));
    return body.toByteArray();
  }

  static JsonNode json(HttpResponse<byte[]> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + new String(response.body(), UTF_8), e);
    }
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), UTF_8);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
  }

  private static HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
