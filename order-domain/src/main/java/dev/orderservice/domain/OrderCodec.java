package dev.orderservice.domain;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads orders from JSON bytes and writes their canonical JSON.
 *
 * <p>Decoding is strict (no type coercion, no trailing content, no duplicate keys, unknown fields
 * rejected unless {@link Builder#ignoreUnknownFields(boolean) configured otherwise}, in which case
 * they are skipped and listed in the result) and never throws on bad input: it returns {@link
 * DecodeResult.Failed} with the line, column, JSON path and what was expected. A document larger
 * than {@link Builder#maxBytes(int) the size limit} is refused before it is parsed. Every string,
 * field names included, must be Unicode text in UTF-8, as I-JSON (RFC 7493) requires: a lone
 * surrogate (U+D800 to U+DFFF), escaped or as bytes, and any other ill-formed UTF-8 are refused
 * ({@link UnicodeText}), with the path of the string and without its value, e.g. {@code
 * delivery.name: is not Unicode text (a lone surrogate)}.
 *
 * <p>The canonical form is UTF-8 JSON with the fields in the order of the records' declarations and
 * no insignificant whitespace, so equal orders always encode to equal bytes.
 *
 * <p>Instances are immutable and thread safe.
 */
public final class OrderCodec {

  /** The default size limit of a document: 1 MiB. */
  public static final int DEFAULT_MAX_BYTES = 1024 * 1024;

  private static final OrderCodec STANDARD = builder().build();

  private final int maxBytes;
  private final boolean ignoreUnknownFields;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final Map<Class<?>, Map<String, Class<?>>> knownFields;

  private OrderCodec(Builder builder) {
    this.maxBytes = builder.maxBytes;
    this.ignoreUnknownFields = builder.ignoreUnknownFields;
    ObjectMapper mapper = strictMapper(builder.ignoreUnknownFields, builder.maxBytes);
    this.knownFields = knownFields(mapper);
    this.reader = mapper.readerFor(Order.class);
    this.writer = mapper.writerFor(Order.class);
  }

  /** The codec with default settings: unknown fields rejected, 1 MiB limit. */
  public static OrderCodec standard() {
    return STANDARD;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The size limit of a document, in bytes. */
  public int maxBytes() {
    return maxBytes;
  }

  /** Whether fields the model does not know are skipped (and reported) rather than refused. */
  public boolean ignoresUnknownFields() {
    return ignoreUnknownFields;
  }

  /**
   * Reads one order; never throws for bad input. A lenient codec lists the unknown fields it
   * skipped in {@link DecodeResult.Decoded#ignoredFields()}.
   */
  public DecodeResult decode(byte[] json) {
    if (json == null || json.length == 0) {
      return new DecodeResult.Failed("the document is empty: expected a JSON object");
    }
    if (json.length > maxBytes) {
      return new DecodeResult.Failed(
          "the document is " + json.length + " bytes, over the limit of " + maxBytes + " bytes");
    }
    Optional<DecodeResult.Failed> notText = UnicodeText.check(json, reader.getFactory());
    if (notText.isPresent()) {
      return notText.get();
    }
    List<String> ignored = ignoreUnknownFields ? new ArrayList<>(0) : null;
    try {
      Order order =
          ignored == null
              ? reader.readValue(json)
              : reader.withAttribute(IGNORED_FIELDS, ignored).readValue(json);
      if (order == null) {
        return new DecodeResult.Failed("expected a JSON object, got null", 1, 1);
      }
      return new DecodeResult.Decoded(
          order, ignored == null || ignored.isEmpty() ? List.of() : unknownFields(json));
    } catch (IOException e) {
      return describe(e);
    }
  }

  /**
   * The top-level {@code order_uid} string of a document that may not decode, if it can be found
   * before the document breaks: to say which order a rejected document meant. Never throws.
   */
  String peekOrderUid(byte[] json) {
    if (json == null || json.length == 0 || json.length > maxBytes) {
      return "";
    }
    try (JsonParser p = reader.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return "";
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("order_uid".equals(name) && value == JsonToken.VALUE_STRING) {
          return p.getText();
        }
        p.skipChildren();
      }
    } catch (IOException | RuntimeException e) {
      // the document breaks before its uid: no uid to tell
    }
    return "";
  }

  /** The canonical JSON of {@code order}. */
  public byte[] encode(Order order) {
    try {
      return writer.writeValueAsBytes(order);
    } catch (JsonProcessingException e) {
      // Records of strings and numbers always serialise; this is a defect, not bad input.
      throw new UncheckedIOException("cannot encode order", e);
    }
  }

  /** Encodes {@code order} and keeps both together. */
  public EncodedOrder encoded(Order order) {
    return new EncodedOrder(order, encode(order));
  }

  /** The reader attribute holding the list a lenient decode adds skipped fields' paths to. */
  private static final String IGNORED_FIELDS = "orderservice.ignoredFields";

  private static ObjectMapper strictMapper(boolean ignoreUnknownFields, int maxBytes) {
    JsonMapper.Builder builder = JsonMapper.builder();
    if (ignoreUnknownFields) {
      builder.addHandler(new SkipAndNoteUnknownFields());
    }
    JsonMapper mapper =
        builder
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    refuseCoercions(mapper);
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxDocumentLength(maxBytes).build());
    return mapper;
  }

  /**
   * Makes {@code mapper} refuse a number where a string belongs, and a string, fraction or boolean
   * where an integer belongs. A producer's mistake, not something to paper over: it would change
   * what the canonical JSON says.
   */
  static void refuseCoercions(ObjectMapper mapper) {
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
  }

  /**
   * Skips a field the model does not know and notes that one was skipped; {@link #unknownFields}
   * then finds where (Jackson's parser, buffering a record's creator properties, cannot say).
   */
  private static final class SkipAndNoteUnknownFields extends DeserializationProblemHandler {
    @Override
    @SuppressWarnings("unchecked")
    public boolean handleUnknownProperty(
        DeserializationContext ctxt,
        JsonParser p,
        JsonDeserializer<?> deserializer,
        Object beanOrClass,
        String propertyName)
        throws IOException {
      Object ignored = ctxt.getAttribute(IGNORED_FIELDS);
      if (ignored instanceof List<?> list) {
        ((List<String>) list).add(propertyName);
      }
      p.skipChildren();
      return true;
    }
  }

  /**
   * The JSON paths of the fields of {@code json} the model does not know: {@code
   * delivery.gift_note}, {@code items[].wrap} (array indices left out, so names stay few), each
   * once however many items have it. Only called for a document known to have some.
   */
  private List<String> unknownFields(byte[] json) throws IOException {
    java.util.Set<String> unknown = new java.util.LinkedHashSet<>();
    collectUnknown(reader.readTree(json), Order.class, "", unknown);
    return List.copyOf(unknown);
  }

  private void collectUnknown(
      JsonNode node, Class<?> type, String prefix, java.util.Set<String> unknown) {
    if (!node.isObject()) {
      return;
    }
    Map<String, Class<?>> known = knownFields.get(type);
    node.fieldNames()
        .forEachRemaining(
            name -> {
              Class<?> child = known.get(name);
              if (!known.containsKey(name)) {
                unknown.add(prefix + name);
              } else if (child == Item.class) {
                for (JsonNode item : node.get(name)) {
                  collectUnknown(item, Item.class, prefix + name + "[].", unknown);
                }
              } else if (child != null) {
                collectUnknown(node.get(name), child, prefix + name + ".", unknown);
              }
            });
  }

  /**
   * The model's field names by type, from the records' Jackson annotations: for each, the nested
   * model type when the field holds one (a list of items counts as {@link Item}), else null.
   */
  private static Map<Class<?>, Map<String, Class<?>>> knownFields(ObjectMapper mapper) {
    Map<Class<?>, Map<String, Class<?>>> known = new java.util.HashMap<>();
    for (Class<?> type : List.of(Order.class, Delivery.class, Payment.class, Item.class)) {
      Map<String, Class<?>> fields = new java.util.HashMap<>();
      for (var property :
          mapper.getSerializationConfig().introspect(mapper.constructType(type)).findProperties()) {
        Class<?> raw = property.getRawPrimaryType();
        Class<?> nested =
            List.class.isAssignableFrom(raw)
                ? Item.class
                : (raw == Delivery.class || raw == Payment.class ? raw : null);
        fields.put(property.getName(), nested);
      }
      known.put(type, java.util.Collections.unmodifiableMap(fields));
    }
    return Map.copyOf(known);
  }

  private static DecodeResult.Failed describe(IOException e) {
    long line = 0;
    long column = 0;
    if (e instanceof JacksonException je) {
      JsonLocation at = je.getLocation();
      if (at != null && at.getLineNr() > 0) {
        line = at.getLineNr();
        column = at.getColumnNr();
      }
    }
    return new DecodeResult.Failed(problem(e), line, column);
  }

  private static String problem(IOException e) {
    StringBuilder reason = new StringBuilder();
    if (e instanceof UnrecognizedPropertyException u) {
      reason.append(path(u, u.getPropertyName())).append(": unknown field");
      Collection<Object> known = u.getKnownPropertyIds();
      if (known != null && !known.isEmpty()) {
        reason
            .append(" (expected one of ")
            .append(known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")))
            .append(')');
      }
      return reason.toString();
    }
    if (e instanceof ValueInstantiationException v && v.getCause() != null) {
      // Raised by a record's constructor, whose message names the field and the rule.
      return reason.append(firstLine(v.getCause().getMessage())).toString();
    }
    if (e instanceof MismatchedInputException m) {
      String message = firstLine(m.getOriginalMessage());
      if (message.startsWith("Missing required creator property")) {
        String field = between(message, '\'', '\'');
        return reason.append(path(m, field)).append(": is required").toString();
      }
      if (message.startsWith("Trailing token")) {
        return reason.append("unexpected content after the end of the order").toString();
      }
      String where = path(m, null);
      if (!where.isEmpty()) {
        reason.append(where).append(": ");
      }
      return reason.append("expected ").append(expected(m.getTargetType())).toString();
    }
    return reason.append(withoutInput(firstLine(originalMessage(e)))).toString();
  }

  /**
   * Jackson quotes the offending input in some messages (an unquoted string, a number out of
   * range); input can be personal data, and reasons end up in logs and dead-letter headers.
   */
  private static String withoutInput(String message) {
    // "(start marker at [Source: REDACTED ...; line: 1, column: 1])": the location is given
    // already.
    message = message.replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "");
    if (message.startsWith("Unrecognized token")) {
      return "unrecognized token: expected a JSON value (string, number, object, array, true, false"
          + " or null)";
    }
    if (message.startsWith("Numeric value") && message.contains("out of range")) {
      int rest = message.indexOf("out of range") + "out of range".length();
      return "number out of range" + message.substring(rest); // " of int (-2147483648 - ...)"
    }
    return message;
  }

  private static String originalMessage(IOException e) {
    if (e instanceof JacksonException je) {
      return je.getOriginalMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "a value of another type";
    }
    if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
      return "an integer";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (type.isRecord() || Map.class.isAssignableFrom(type)) {
      return "an object";
    }
    return "a value of type " + type.getSimpleName();
  }

  /** The JSON path of the failure, with {@code field} appended when the parser stopped above it. */
  private static String path(JsonMappingException e, String field) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    boolean alreadyThere = field != null && path.toString().endsWith(field);
    if (field != null && !alreadyThere) {
      if (path.length() > 0) {
        path.append('.');
      }
      path.append(field);
    }
    return path.toString();
  }

  private static String between(String s, char open, char close) {
    int from = s.indexOf(open);
    int to = from < 0 ? -1 : s.indexOf(close, from + 1);
    return from < 0 || to < 0 ? s : s.substring(from + 1, to);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable JSON";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Settings of an {@link OrderCodec}. Not thread safe; build once and share the codec. */
  public static final class Builder {
    private boolean ignoreUnknownFields;
    private int maxBytes = DEFAULT_MAX_BYTES;

    private Builder() {}

    /** Whether fields the model does not know are skipped instead of refused. Default: refused. */
    public Builder ignoreUnknownFields(boolean ignore) {
      this.ignoreUnknownFields = ignore;
      return this;
    }

    /** The largest document accepted, in bytes. Default: 1 MiB. */
    public Builder maxBytes(int maxBytes) {
      if (maxBytes < 1) {
        throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    public OrderCodec build() {
      return new OrderCodec(this);
    }
  }
}
