package dev.orderservice.ingest;

import static dev.orderservice.domain.OrderCopies.withEmail;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.testsupport.TestBroker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A topic's worth of test records: valid orders and bad records of every kind, shuffled, each keyed
 * by its order_uid, with explicit timestamps and, on some, headers of their own. A conflicting
 * record is always placed after the order whose uid it repeats, so which one conflicts is
 * deterministic (the same key lands on the same partition).
 */
final class MixedStream {

  /** What is wrong with a bad record, and at which stage the ingest must reject it. */
  enum Defect {
    TRUNCATED_JSON(RejectionStage.VALUE_CONVERTER),
    STRING_FOR_INTEGER(RejectionStage.VALUE_CONVERTER),
    NUMBER_FOR_STRING(RejectionStage.VALUE_CONVERTER),
    MISSING_NUMBER(RejectionStage.VALUE_CONVERTER),
    UNKNOWN_FIELD(RejectionStage.VALUE_CONVERTER),
    INVALID_EMAIL(RejectionStage.TRANSFORMATION),
    MISSING_TEXT(RejectionStage.TRANSFORMATION),
    CONFLICT(RejectionStage.TASK_PUT);

    final RejectionStage stage;

    Defect(RejectionStage stage) {
      this.stage = stage;
    }
  }

  /**
   * A record the ingest must dead-letter.
   *
   * @param personalData values of the record that must never appear in the rejection message
   * @param messagePart what the rejection message must mention (a path or a field name)
   */
  record BadRecord(
      ProducerRecord<byte[], byte[]> record,
      Defect defect,
      List<String> personalData,
      String messagePart) {}

  private static final OrderCodec CODEC = OrderCodec.standard();

  private final List<ProducerRecord<byte[], byte[]>> records;
  private final Map<String, Order> validOrders;
  private final List<BadRecord> badRecords;

  private MixedStream(
      List<ProducerRecord<byte[], byte[]>> records,
      Map<String, Order> validOrders,
      List<BadRecord> badRecords) {
    this.records = List.copyOf(records);
    this.validOrders = Collections.unmodifiableMap(validOrders);
    this.badRecords = List.copyOf(badRecords);
  }

  /**
   * {@code valid} valid orders and {@code bad} bad records, the defects taken in turn, for {@code
   * topic}. The same seed gives the same orders and defects in the same order.
   */
  static MixedStream generate(String topic, int valid, int bad, long seed) {
    return new Generator(topic, seed).generate(valid, bad);
  }

  /** Every record, in the order to produce them. */
  List<ProducerRecord<byte[], byte[]>> records() {
    return records;
  }

  /** The orders that must be stored, by uid; a conflicting record does not replace its original. */
  Map<String, Order> validOrders() {
    return validOrders;
  }

  List<BadRecord> badRecords() {
    return badRecords;
  }

  /**
   * Sends every record with one producer, in order, and waits for the acknowledgements.
   *
   * @return the bad records by where they were written
   */
  Map<SourcePosition, BadRecord> produce() {
    List<RecordMetadata> written = TestBroker.produce(records);
    Map<ProducerRecord<byte[], byte[]>, BadRecord> bad = new IdentityHashMap<>();
    badRecords.forEach(b -> bad.put(b.record(), b));
    Map<SourcePosition, BadRecord> at = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      BadRecord b = bad.get(records.get(i));
      if (b != null) {
        at.put(SourcePosition.of(written.get(i)), b);
      }
    }
    return at;
  }

  /** How many bad records each stage must reject. */
  Map<RejectionStage, Long> rejectedByStage() {
    Map<RejectionStage, Long> counts = new EnumMap<>(RejectionStage.class);
    for (RejectionStage stage : RejectionStage.values()) {
      counts.put(stage, badRecords.stream().filter(b -> b.defect().stage == stage).count());
    }
    return counts;
  }

  /** Makes one stream; not reusable. */
  private static final class Generator {
    private final String topic;
    private final RandomOrders orders;
    private final Random random;
    private long timestamp = System.currentTimeMillis() - 3_600_000;

    Generator(String topic, long seed) {
      this.topic = topic;
      this.orders = new RandomOrders(seed);
      this.random = new Random(seed);
    }

    MixedStream generate(int valid, int bad) {
      Map<String, Order> validOrders = new LinkedHashMap<>();
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (int i = 0; i < valid; i++) {
        Order order = orders.next();
        validOrders.put(order.orderUid(), order);
        records.add(
            record(order.orderUid(), CODEC.encode(order), i % 5 == 0 ? headers(i) : List.of()));
      }
      List<String> uids = new ArrayList<>(validOrders.keySet());
      List<BadRecord> badRecords = new ArrayList<>();
      Defect[] defects = Defect.values();
      for (int i = 0; i < bad; i++) {
        Defect defect = defects[i % defects.length];
        List<Header> headers = i % 3 == 0 ? headers(i) : List.of();
        badRecords.add(
            defect == Defect.CONFLICT
                ? conflict(orders.next(uids.get(i)), headers)
                : broken(defect, orders.next(), headers));
      }
      badRecords.stream()
          .filter(b -> b.defect() != Defect.CONFLICT)
          .forEach(b -> records.add(b.record()));
      Collections.shuffle(records, random);
      for (BadRecord b : badRecords) {
        if (b.defect() == Defect.CONFLICT) {
          int original = indexOfKey(records, b.record().key());
          records.add(original + 1 + random.nextInt(records.size() - original), b.record());
        }
      }
      return new MixedStream(records, validOrders, badRecords);
    }

    private BadRecord broken(Defect defect, Order order, List<Header> headers) {
      Delivery d = order.delivery();
      String json = new String(CODEC.encode(order), UTF_8);
      String messagePart;
      switch (defect) {
        case TRUNCATED_JSON -> {
          // Cut inside the delivery, right after the phone number began.
          json = json.substring(0, json.indexOf(d.phone()) + 4);
          messagePart = "end-of-input";
        }
        case STRING_FOR_INTEGER -> {
          json = json.replaceFirst("\"sm_id\":(\\d+)", "\"sm_id\":\"$1\"");
          messagePart = "sm_id: expected an integer";
        }
        case NUMBER_FOR_STRING -> {
          json =
              json.replace(
                  "\"phone\":\"" + d.phone() + "\"", "\"phone\":" + d.phone().substring(1));
          messagePart = "delivery.phone: expected a string";
        }
        case MISSING_NUMBER -> {
          json = json.replaceFirst("\"sm_id\":\\d+,", "");
          messagePart = "sm_id: is required";
        }
        case UNKNOWN_FIELD -> {
          json = "{\"coupon\":\"SPRING\"," + json.substring(1);
          messagePart = "coupon: unknown field";
        }
        case INVALID_EMAIL -> {
          order = withEmail(order, d.email().replace("@", " at "));
          json = new String(CODEC.encode(order), UTF_8);
          messagePart = "delivery.email: must be an e-mail address";
        }
        case MISSING_TEXT -> {
          json = json.replace("\"city\":\"" + d.city() + "\",", "");
          messagePart = "delivery.city: is required";
        }
        default -> throw new IllegalArgumentException(defect.name());
      }
      return new BadRecord(
          record(order.orderUid(), json.getBytes(UTF_8), headers),
          defect,
          personalData(order),
          messagePart);
    }

    private BadRecord conflict(Order other, List<Header> headers) {
      return new BadRecord(
          record(other.orderUid(), CODEC.encode(other), headers),
          Defect.CONFLICT,
          personalData(other),
          "is stored with different content");
    }

    private ProducerRecord<byte[], byte[]> record(String uid, byte[] value, List<Header> headers) {
      return new ProducerRecord<>(topic, null, timestamp++, uid.getBytes(UTF_8), value, headers);
    }
  }

  private static List<String> personalData(Order order) {
    Delivery d = order.delivery();
    return List.of(d.email(), d.phone(), d.phone().substring(1), d.name());
  }

  private static List<Header> headers(int i) {
    return List.of(
        new RecordHeader("trace-id", ("trace-" + i).getBytes(UTF_8)),
        new RecordHeader("producer", new byte[] {0, 1, (byte) 0xFF}));
  }

  private static int indexOfKey(List<ProducerRecord<byte[], byte[]>> records, byte[] key) {
    for (int i = 0; i < records.size(); i++) {
      if (Arrays.equals(records.get(i).key(), key)) {
        return i;
      }
    }
    throw new IllegalStateException("the original of a conflicting record is missing");
  }
}
