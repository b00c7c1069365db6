package dev.orderservice.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings of the ingest's two Kafka clients, the consumer of the order topic and the producer
 * of dead letters, and the clients made from them. Each client's settings are, in this order of
 * precedence: what the ingest forces (listed in {@link #forcedOnConsumer} and {@link
 * #forcedOnProducer}, each with the reason), the caller's properties, the builder's own settings
 * (bootstrap servers, group, membership), and the ingest's defaults.
 *
 * <p>Immutable and thread safe; the clients it opens are the caller's to close.
 */
final class IngestClientSettings {

  // The clients are made with byte-array (de)serializer instances (see openConsumer and
  // openDeadLetterProducer), which they use whatever the properties name.
  private static final String BYTES =
      "the ingest reads values through the service's codec and copies dead letters byte for byte";

  /** What the ingest sets on the consumer whatever the caller set, and why. */
  static List<ForcedSetting> forcedOnConsumer(int maxBatchSize) {
    return List.of(
        new ForcedSetting(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            "offsets are committed by hand, after the batch is stored and dead-lettered: never"
                + " before"),
        new ForcedSetting(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            "records of an aborted or open transaction are not orders anyone sent: only"
                + " committed ones are stored"),
        new ForcedSetting(
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            maxBatchSize,
            "a poll returns at most one batch, the most one transaction stores"),
        new ForcedSetting(
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class, BYTES),
        new ForcedSetting(
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class, BYTES));
  }

  /** What the ingest sets on the dead-letter producer whatever the caller set, and why. */
  static List<ForcedSetting> forcedOnProducer() {
    return List.of(
        new ForcedSetting(
            ProducerConfig.ACKS_CONFIG,
            "all",
            "a source offset is committed once its dead letter is acknowledged, so the"
                + " acknowledgement must mean that every in-sync replica has it"),
        new ForcedSetting(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            "the producer's own retries must not write a dead letter twice"),
        new ForcedSetting(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class, BYTES),
        new ForcedSetting(
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class, BYTES));
  }

  private final Map<String, Object> consumer;
  private final Map<String, Object> producer;

  /**
   * @param bootstrapServers the builder's servers, or null if only the properties name them
   * @param groupInstanceId null for a dynamic member
   * @param sessionTimeout null for Kafka's
   * @param groupProtocol the consumer group protocol; null for the properties', else classic
   * @throws IllegalArgumentException if neither the servers nor the consumer properties name the
   *     bootstrap servers
   */
  IngestClientSettings(
      String bootstrapServers,
      Map<String, Object> consumerProperties,
      Map<String, Object> producerProperties,
      String groupId,
      String groupInstanceId,
      Duration sessionTimeout,
      GroupProtocol groupProtocol,
      int maxBatchSize,
      Duration ackTimeout) {
    this.consumer =
        consumerConfig(
            bootstrapServers,
            consumerProperties,
            groupId,
            groupInstanceId,
            sessionTimeout,
            groupProtocol,
            maxBatchSize);
    Object servers =
        producerProperties.getOrDefault(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            consumerProperties.getOrDefault(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    this.producer = producerConfig(servers, producerProperties, ackTimeout);
  }

  /** A new consumer of the order topic; the caller closes it. */
  KafkaConsumer<byte[], byte[]> openConsumer() {
    return new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A new producer of dead letters; the caller closes it. */
  KafkaProducer<byte[], byte[]> openDeadLetterProducer() {
    return new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
  }

  String groupId() {
    return (String) consumer.get(ConsumerConfig.GROUP_ID_CONFIG);
  }

  /** How the consumer belongs to its group, as the start-up log line says it. */
  String membership() {
    Object instance = consumer.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    Object protocol = consumer.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
    Object session = consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
    return (instance == null ? "dynamic member" : "static member " + instance)
        + ", "
        + protocol
        + " protocol, session timeout "
        + ("consumer".equals(protocol)
            ? "the broker's"
            : session == null ? "Kafka's default" : session + " ms");
  }

  Map<String, Object> consumerConfig() {
    return consumer;
  }

  Map<String, Object> producerConfig() {
    return producer;
  }

  private static Map<String, Object> consumerConfig(
      String bootstrapServers,
      Map<String, Object> properties,
      String groupId,
      String groupInstanceId,
      Duration sessionTimeout,
      GroupProtocol groupProtocol,
      int maxBatchSize) {
    Map<String, Object> config = new HashMap<>(properties);
    if (groupProtocol != null) {
      config.put(
          ConsumerConfig.GROUP_PROTOCOL_CONFIG, groupProtocol.name().toLowerCase(Locale.ROOT));
    } else {
      config.putIfAbsent(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    }
    config.putIfAbsent(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    if (groupInstanceId != null) {
      config.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
    }
    if (sessionTimeout != null) {
      config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    }
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "order-ingest");
    // A new group starts at the beginning: orders produced before the first start are not lost.
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Kafka's 1 MiB per partition and fetch is ~700 orders: room for full batches of the default
    // size when the consumer is behind (fetch.max.bytes still caps a fetch at 50 MiB).
    config.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    forcedOnConsumer(maxBatchSize).forEach(forced -> config.put(forced.name(), forced.value()));
    IngestSettings.require(
        config.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) != null,
        "bootstrap servers are required: bootstrapServers(...) or consumer property"
            + " bootstrap.servers");
    return Map.copyOf(config);
  }

  private static Map<String, Object> producerConfig(
      Object bootstrapServers, Map<String, Object> properties, Duration ackTimeout) {
    Map<String, Object> config = new HashMap<>(properties);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "order-ingest-dlq");
    forcedOnProducer().forEach(forced -> config.put(forced.name(), forced.value()));
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    // Fail a send within the ack timeout instead of Kafka's two minutes, so a broker outage turns
    // into a retry of the batch, not a stuck consumer.
    int ackMillis = (int) Math.min(Integer.MAX_VALUE, ackTimeout.toMillis());
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, ackMillis / 3));
    // The producer refuses a delivery timeout below linger.ms + request.timeout.ms, which a
    // sub-second ack timeout would otherwise give.
    long lingerAndRequest =
        millis(config.get(ProducerConfig.LINGER_MS_CONFIG))
            + millis(config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    config.putIfAbsent(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(ackMillis, lingerAndRequest));
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ackMillis);
    return Map.copyOf(config);
  }

  private static long millis(Object setting) {
    return Long.parseLong(String.valueOf(setting).trim());
  }
}
