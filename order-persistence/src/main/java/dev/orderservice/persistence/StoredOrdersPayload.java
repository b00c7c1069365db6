package dev.orderservice.persistence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.OrderSummaryJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The payloads of the {@value StoredOrdersListener#CHANNEL} notifications: the summaries of the
 * orders a transaction inserted, in insertion order, as JSON arrays of their {@link
 * OrderSummaryJson JSON}, e.g.
 *
 * <pre>{@code
 * [{"order_uid":"b563feb7b2b84b6test","track_number":"WBILMTESTTRACK","customer_id":"test",
 *   "date_created":"2021-11-26T06:22:19Z","amount":1817,"currency":"USD","item_count":1}]
 * }</pre>
 *
 * <p>PostgreSQL refuses a payload of 8000 bytes or more, so the summaries are cut into as many
 * arrays as it takes, each at most {@value #MAX_BYTES} bytes, in order. The JSON is ASCII (other
 * characters escaped as {@code \}{@code uXXXX}), so its length in bytes is the same in every server
 * encoding. A summary too long for a payload of its own (a track number or customer id of
 * kilobytes, which the validator allows) is announced by its uid alone, {@code
 * {"order_uid":"..."}}: the listener reads the rest from the database.
 *
 * <p>Stateless and thread safe.
 */
final class StoredOrdersPayload {

  /** The longest payload: PostgreSQL's limit is "shorter than 8000 bytes". */
  static final int MAX_BYTES = 7_999;

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
  private static final ObjectMapper READER = new ObjectMapper();

  private StoredOrdersPayload() {}

  /** The payloads that announce {@code orders}, in order; none for no orders. */
  static List<String> chunks(List<OrderSummary> orders) {
    List<String> chunks = new ArrayList<>(1);
    StringBuilder chunk = new StringBuilder(MAX_BYTES);
    // One generator writes every summary, each a root value, into one buffer.
    StringBuilder written = new StringBuilder(orders.size() * 200);
    try (JsonGenerator g = JSON.createGenerator(new Appending(written))) {
      g.setRootValueSeparator(null);
      for (OrderSummary order : orders) {
        int start = written.length();
        OrderSummaryJson.write(order, g);
        g.flush();
        if (written.length() - start + 2 > MAX_BYTES) {
          written.setLength(start);
          g.writeStartObject();
          g.writeStringField("order_uid", order.orderUid());
          g.writeEndObject();
          g.flush();
        }
        int length = written.length() - start;
        // Room for a comma before it and the closing bracket after it.
        if (chunk.length() > 0 && chunk.length() + 1 + length + 1 > MAX_BYTES) {
          chunks.add(chunk.append(']').toString());
          chunk.setLength(0);
        }
        chunk.append(chunk.length() == 0 ? '[' : ',').append(written, start, start + length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    if (chunk.length() > 0) {
      chunks.add(chunk.append(']').toString());
    }
    return chunks;
  }

  /**
   * What a payload announces, in order: each order's summary, or its uid alone when the summary did
   * not fit.
   *
   * @throws IllegalArgumentException if the payload is not one that {@link #chunks} makes
   */
  static List<Announced> read(String payload) {
    JsonNode array;
    try {
      array = READER.readTree(payload);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON", e);
    }
    if (array == null || !array.isArray()) {
      throw new IllegalArgumentException("not a JSON array");
    }
    List<Announced> announced = new ArrayList<>(array.size());
    for (JsonNode o : array) {
      String uid = text(o, "order_uid");
      if (o.size() == 1) {
        announced.add(new Announced(uid, Optional.empty()));
        continue;
      }
      OrderSummary summary = OrderSummaryJson.read(o);
      announced.add(new Announced(uid, Optional.of(summary)));
    }
    return announced;
  }

  /** An announced order: its summary, or only its uid when the summary is to be read. */
  record Announced(String orderUid, Optional<OrderSummary> summary) {}

  /** A writer into a StringBuilder: a StringWriter's buffer synchronizes every append. */
  private static final class Appending extends Writer {
    private final StringBuilder to;

    Appending(StringBuilder to) {
      this.to = to;
    }

    @Override
    public void write(char[] chars, int offset, int length) {
      to.append(chars, offset, length);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  private static String text(JsonNode o, String field) {
    JsonNode value = o.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException(field + ": expected a string");
    }
    return value.textValue();
  }
}
