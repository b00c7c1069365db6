package dev.orderservice.domain;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The JSON of an {@link OrderSummary}, the one codec for every place a summary travels as JSON: the
 * answers of searches and the events of the live feed, and the notifications by which stores
 * announce the orders they stored. An object of the summary's fields, named and ordered as {@link
 * OrderSummary} declares them, with no insignificant whitespace, e.g.
 *
 * <pre>{@code
 * {"order_uid":"b563feb7b2b84b6test","track_number":"WBILMTESTTRACK","customer_id":"test",
 *  "date_created":"2021-11-26T06:22:19Z","amount":1817,"currency":"USD","item_count":1}
 * }</pre>
 *
 * <p>Reading is strict about types (a number where a string belongs, or a fraction for an integer,
 * is refused) and requires every field; fields it does not know are skipped, so that a reader
 * outlives a writer that adds one. Stateless and thread safe.
 */
public final class OrderSummaryJson {

  private static final JsonMapper MAPPER = mapper();
  private static final ObjectWriter WRITER = MAPPER.writerFor(OrderSummary.class);
  private static final ObjectReader READER = MAPPER.readerFor(OrderSummary.class);

  private OrderSummaryJson() {}

  /** The JSON of {@code summary}. */
  public static String toJson(OrderSummary summary) {
    try {
      return WRITER.writeValueAsString(summary);
    } catch (JsonProcessingException e) {
      // A record of strings and numbers always serialises; this is a defect, not bad input.
      throw new UncheckedIOException("cannot write an order summary", e);
    }
  }

  /**
   * Writes the JSON of {@code summary} with {@code generator}, whose settings apply (e.g. escaping
   * every non-ASCII character); leaves it open.
   *
   * @throws IOException if the generator's output fails
   */
  public static void write(OrderSummary summary, JsonGenerator generator) throws IOException {
    WRITER.writeValue(generator, summary);
  }

  /**
   * The summary {@code json} holds.
   *
   * @throws IllegalArgumentException if it is not a summary's JSON; the message names the field and
   *     what was expected there, without quoting the value
   */
  public static OrderSummary read(JsonNode json) {
    try {
      return READER.readValue(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(describe(e), e);
    }
  }

  private static String describe(IOException e) {
    String field =
        e instanceof JsonMappingException m
            ? m.getPath().stream()
                .map(JsonMappingException.Reference::getFieldName)
                .filter(Objects::nonNull)
                .collect(Collectors.joining("."))
            : "";
    String problem;
    if (e instanceof MismatchedInputException m
        && String.valueOf(m.getOriginalMessage()).startsWith("Missing required creator property")) {
      problem = "is required";
    } else if (e instanceof MismatchedInputException m && m.getTargetType() == String.class) {
      problem = "expected a string";
    } else if (e instanceof MismatchedInputException m
        && (m.getTargetType() == int.class || m.getTargetType() == Integer.class)) {
      problem = "expected an integer";
    } else {
      problem = "expected an order summary";
    }
    return field.isEmpty() ? problem : field + ": " + problem;
  }

  private static JsonMapper mapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    OrderCodec.refuseCoercions(mapper);
    return mapper;
  }
}
