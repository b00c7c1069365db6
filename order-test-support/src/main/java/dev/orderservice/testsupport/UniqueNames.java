package dev.orderservice.testsupport;

import java.util.UUID;

/**
 * Names no other test uses, so that tests sharing one PostgreSQL and one broker never see each
 * other's schemas, topics or consumer groups. Stateless and thread safe.
 */
public final class UniqueNames {

  private UniqueNames() {}

  /**
   * {@code prefix}, an underscore and 12 random hex digits: a valid unquoted PostgreSQL identifier
   * (for a lower-case prefix of letters, digits and underscores), Kafka topic, consumer group or
   * order uid.
   */
  public static String withPrefix(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }
}
