package dev.orderservice.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.ETag;
import io.undertow.util.ETagUtils;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

/**
 * A file shipped in a jar, read once when the server starts and served from memory with a strong
 * ETag (a hash of its bytes) and {@code Cache-Control: no-cache}: a client keeps its copy and asks
 * each time whether it is still current, which costs a {@code 304 Not Modified} without a body. So
 * a new version is seen at once after a deployment, and the jar's timestamps (which say nothing
 * about the content) play no part. Small enough to answer on the IO thread. Immutable and thread
 * safe.
 */
final class BundledFile {

  private static final String CACHE_CONTROL = "no-cache";

  private final byte[] bytes;
  private final String contentType;
  private final ETag etag;

  private BundledFile(byte[] bytes, String contentType) {
    this.bytes = bytes;
    this.contentType = contentType;
    this.etag = new ETag(false, hash(bytes));
  }

  /**
   * Reads {@code resource} from {@code classLoader}.
   *
   * @throws IllegalStateException if there is no such resource: the jar is built wrong
   */
  static BundledFile load(ClassLoader classLoader, String resource, String contentType) {
    Objects.requireNonNull(contentType, "contentType");
    try (InputStream in = classLoader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath");
      }
      return new BundledFile(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
    }
  }

  /** 200 with the file, or 304 if the request's {@code If-None-Match} names this version. */
  void serve(HttpServerExchange exchange) {
    exchange
        .getResponseHeaders()
        .put(Headers.ETAG, etag.toString())
        .put(Headers.CACHE_CONTROL, CACHE_CONTROL);
    if (!ETagUtils.handleIfNoneMatch(exchange, etag, true)) {
      exchange.setStatusCode(StatusCodes.NOT_MODIFIED);
      exchange.endExchange();
      return;
    }
    Responses.send(exchange, StatusCodes.OK, contentType, bytes);
  }

  /** 128 bits of the SHA-256 of {@code bytes}, URL-safe Base64. */
  private static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
