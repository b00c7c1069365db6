package dev.orderservice.ingest;

/**
 * What an {@link OrderIngest} tells its owner about Kafka while it runs, e.g. to say on a readiness
 * endpoint that the broker refuses the service's credentials. Set with {@link
 * OrderIngest.Builder#listener}.
 *
 * <p>Called on the ingest's thread: a method must return quickly and must not call back into the
 * ingest; what it throws is logged and otherwise ignored.
 */
public interface IngestListener {

  /**
   * Kafka refused the ingest's clients: wrong credentials, a TLS handshake that failed, or an ACL
   * that does not allow what the ingest needs. The ingest keeps running and tries again after a
   * back-off; this is called on every refused attempt.
   */
  default void kafkaRefused(KafkaRefusal refusal) {}

  /**
   * Kafka accepts the ingest's clients again after one or more {@link #kafkaRefused} (the consumer
   * joined its group, or a batch was committed). Called once per recovery.
   */
  default void kafkaAccepted() {}
}
