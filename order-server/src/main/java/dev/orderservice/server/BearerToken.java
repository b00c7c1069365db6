package dev.orderservice.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The optional {@code API_TOKEN} check of the write endpoints: {@code Authorization: Bearer
 * <token>}. The comparison takes the same time whatever the presented token (both sides are
 * hashed to a fixed length, then compared with {@link MessageDigest#isEqual}), so timing tells an
 * attacker nothing about the token. Immutable and thread safe.
 */
final class BearerToken {

  private static final String PREFIX = "Bearer ";

  private final Optional<byte[]> expectedDigest;

  BearerToken(Optional<String> token) {
    this.expectedDigest = token.map(BearerToken::sha256);
  }

  /** {@code next}, behind the token check when a token is configured. */
  HttpHandler required(HttpHandler next) {
    if (expectedDigest.isEmpty()) {
      return next;
    }
    byte[] expected = expectedDigest.get();
    return exchange -> {
      String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
      String presented = authorization != null
          && authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
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
