package dev.orderservice.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The optional {@code API_TOKEN} check: {@code Authorization: Bearer <token>}, asked of the write
 * endpoints whenever a token is configured, and of the reads of orders too when {@code
 * PROTECT_READS} is on. The comparison takes the same time whatever the presented token (both sides
 * are hashed to a fixed length, then compared with {@link MessageDigest#isEqual}), so timing tells
 * an attacker nothing about the token. Immutable and thread safe.
 */
public final class BearerToken {

  private static final String PREFIX = "Bearer ";

  private final Optional<byte[]> expectedDigest;
  private final boolean protectReads;

  /** Writes need {@code token} when there is one; reads are open. */
  public BearerToken(Optional<String> token) {
    this(token, false);
  }

  /**
   * @throws IllegalArgumentException if reads are to be protected without a token
   */
  public BearerToken(Optional<String> token, boolean protectReads) {
    if (protectReads && token.isEmpty()) {
      throw new IllegalArgumentException("reads can only be protected with a token");
    }
    this.expectedDigest = token.map(BearerToken::sha256);
    this.protectReads = protectReads;
  }

  /** A read of orders: {@code next}, behind the token check when reads are protected. */
  HttpHandler requiredForReads(HttpHandler next) {
    return protectReads ? required(next) : next;
  }

  /**
   * What touches personal data (erasure, export, audit): {@code next}, behind the token check
   * always; without a configured token it is refused (403), never open.
   */
  HttpHandler requiredAlways(HttpHandler next) {
    if (expectedDigest.isEmpty()) {
      return exchange -> {
        throw ApiError.of(
            StatusCodes.FORBIDDEN,
            "erasure, export and the audit log need an API token: set API_TOKEN");
      };
    }
    return required(next);
  }

  /** A write: {@code next}, behind the token check when a token is configured. */
  HttpHandler required(HttpHandler next) {
    if (expectedDigest.isEmpty()) {
      return next;
    }
    byte[] expected = expectedDigest.get();
    return exchange -> {
      String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
      String presented =
          authorization != null && authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
              ? authorization.substring(PREFIX.length()).strip()
              : "";
      if (!MessageDigest.isEqual(expected, sha256(presented))) {
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
        throw ApiError.of(StatusCodes.UNAUTHORIZED, "missing or wrong bearer token");
      }
      next.handleRequest(exchange);
    };
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
