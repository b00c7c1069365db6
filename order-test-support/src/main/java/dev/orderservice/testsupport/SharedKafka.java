package dev.orderservice.testsupport;

import dev.orderservice.devstack.EmbeddedKafka;

/**
 * One Kafka broker per test JVM, shared by every test class that asks.
 *
 * <p>Started lazily on first call (a few seconds) with a temporary log directory and default
 * settings of {@link EmbeddedKafka}, and closed by a JVM shutdown hook; callers must not close it.
 * Tests sharing it should use their own topic names (for example with a random suffix).
 *
 * <p>Thread-safe: concurrent first calls start exactly one broker; the calls block until it is
 * ready. A failed start is not cached: the next call tries again.
 */
public final class SharedKafka {

  private static EmbeddedKafka instance;

  private SharedKafka() {}

  /**
   * The JVM-wide broker, started on first call.
   *
   * @throws dev.orderservice.devstack.DevstackException if the broker cannot start
   */
  public static synchronized EmbeddedKafka instance() {
    if (instance == null) {
      EmbeddedKafka kafka = EmbeddedKafka.builder().build();
      try {
        kafka.start(); // registers the shutdown hook that closes it
      } catch (RuntimeException e) {
        try {
          kafka.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      instance = kafka;
    }
    return instance;
  }
}
