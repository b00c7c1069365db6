package dev.orderservice.ingest;

import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;

/**
 * Kafka refusing a client, and why, in words fit for a log line or a readiness answer: Kafka's own
 * message, which names a user, a mechanism, a topic or a group, never a password or a key.
 *
 * <p>Immutable.
 *
 * @param kind what was refused
 * @param reason what Kafka said, on one line
 */
public record KafkaRefusal(Kind kind, String reason) {

  /** The most characters of a reason. */
  private static final int MAX_REASON = 300;

  /** What Kafka refused. */
  public enum Kind {
    /** The credentials: SASL user or password, a client certificate the broker does not take. */
    AUTHENTICATION,
    /** The TLS handshake: a broker certificate that does not verify, a protocol mismatch. */
    TLS,
    /** An operation: the user lacks an ACL for the topic, the group or the cluster. */
    AUTHORIZATION,
    /**
     * The group still holds this static member's id for a member that stopped without leaving (a
     * crash): with the consumer group protocol the broker releases it only when that member's
     * session times out ({@code group.consumer.session.timeout.ms}).
     */
    MEMBERSHIP
  }

  public KafkaRefusal {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * The refusal {@code failure} is, or is caused by: an {@link SslAuthenticationException} (TLS),
   * another {@link AuthenticationException}, or an {@link AuthorizationException} (topic, group,
   * cluster, transactional id), or an {@link UnreleasedInstanceIdException} (membership); empty for
   * any other failure.
   */
  public static Optional<KafkaRefusal> of(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 10; depth++, cause = cause.getCause()) {
      if (cause instanceof SslAuthenticationException tls) {
        return Optional.of(new KafkaRefusal(Kind.TLS, withRootCause(tls)));
      }
      if (cause instanceof AuthenticationException authentication) {
        return Optional.of(new KafkaRefusal(Kind.AUTHENTICATION, message(authentication)));
      }
      if (cause instanceof UnreleasedInstanceIdException held) {
        return Optional.of(new KafkaRefusal(Kind.MEMBERSHIP, message(held)));
      }
      if (cause instanceof AuthorizationException authorization) {
        return Optional.of(new KafkaRefusal(Kind.AUTHORIZATION, message(authorization)));
      }
    }
    return Optional.empty();
  }

  /**
   * One plain sentence, e.g. {@code Kafka refused authentication: Authentication failed during
   * authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512}.
   */
  public String sentence() {
    return switch (kind) {
          case AUTHENTICATION -> "Kafka refused authentication: ";
          case TLS -> "the TLS handshake with Kafka failed: ";
          case AUTHORIZATION -> "Kafka refused access: ";
          case MEMBERSHIP ->
              "Kafka's group still holds this instance id for a member that stopped without"
                  + " leaving; it is released when that member's session times out: ";
        }
        + reason;
  }

  /** The message and, when it adds something, the innermost cause's (the handshake's own words). */
  private static String withRootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = message(failure);
    String rootMessage = root == failure ? "" : message(root);
    return rootMessage.isEmpty() || message.contains(rootMessage)
        ? message
        : shortened(message + ": " + rootMessage);
  }

  private static String message(Throwable failure) {
    String message = failure.getMessage();
    if (message == null || message.isBlank()) {
      return failure.getClass().getSimpleName();
    }
    return shortened(message.replaceAll("\\s+", " ").strip());
  }

  private static String shortened(String text) {
    return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON - 3) + "...";
  }
}
