package dev.orderservice.domain;

import static dev.orderservice.domain.OrderSchemaCorpus.Verdict.INVALID;
import static dev.orderservice.domain.OrderSchemaCorpus.Verdict.VALID;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The documents that {@link OrderSchemaAgreementTest} runs through both the published JSON Schema
 * and the service's own codec and validator: the sample, random valid orders, and altered copies of
 * the sample, one per rule broken (or boundary probed).
 *
 * <p>The per-field documents are generated from the model's records, not from the schema, so a
 * field added to the model is probed without anyone remembering to. Each document says which
 * verdict the service is expected to give, so that a generator that stops breaking what it claims
 * to break is noticed.
 */
final class OrderSchemaCorpus {

  /** How many orders {@link RandomOrders} contributes. */
  static final int RANDOM_ORDERS = 5_000;

  /** Fixed, so that a failure names a document that the next run produces again. */
  static final long SEED = 20211126L;

  /** The two strings that must be present but may be empty. */
  private static final Set<String> MAY_BE_EMPTY =
      Set.of("internal_signature", "payment.request_id");

  /**
   * Strings with a rule of their own, probed by {@link #fieldRules}; blank is not their only way to
   * fail.
   */
  private static final Set<String> PATTERNED =
      Set.of("order_uid", "date_created", "delivery.email", "payment.currency");

  /**
   * Characters that are white space to someone (ECMA-262's {@code \s}, which a producer's {@code
   * pattern} engine may use; Unicode's space separators; older Unicode versions) but not to Java's
   * {@link Character#isWhitespace}: a string of one of them is not blank to the service.
   */
  private static final List<Character> NOT_WHITESPACE_TO_JAVA =
      List.of('\u00A0', '\u2007', '\u202F', '\uFEFF', '\u0085', '\u180E');

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectNode sample;
  private final List<Document> documents = new ArrayList<>();

  /** What the service is expected to make of a document. */
  enum Verdict {
    VALID,
    INVALID
  }

  /**
   * One document of the corpus.
   *
   * @param name unique; says which field was altered and how, e.g. {@code payment.amount: -1}
   * @param expected what the service is expected to say
   */
  record Document(String name, String json, Verdict expected) {}

  /** What a field holds, as the model declares it. */
  enum Kind {
    TEXT,
    TEXT_MAY_BE_EMPTY,
    INT,
    LONG,
    OBJECT,
    ARRAY
  }

  /**
   * A field of the model, found in the sample document.
   *
   * @param path as the validator reports it, e.g. {@code items[0].price}
   * @param parent the JSON pointer of the object holding the field in the sample
   */
  record Field(String path, JsonPointer parent, String name, Kind kind) {}

  private OrderSchemaCorpus() {
    try {
      this.sample = (ObjectNode) MAPPER.readTree(SampleOrder.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document, in a stable order, with unique names. */
  static List<Document> documents() {
    OrderSchemaCorpus corpus = new OrderSchemaCorpus();
    corpus.add("the sample", new String(SampleOrder.bytes(), UTF_8), VALID);
    corpus.randomOrders();
    for (Field field : fields()) {
      corpus.presenceAndTypes(field);
      corpus.values(field);
    }
    corpus.fieldRules();
    corpus.shapes();
    corpus.beyondTheSchema();
    return corpus.checkedNames();
  }

  /** Every field of the model, depth first, in the records' declaration order. */
  static List<Field> fields() {
    return fields(Order.class, "", JsonPointer.empty());
  }

  private static Map<String, Field> fieldsByPath() {
    Map<String, Field> byPath = new HashMap<>();
    fields().forEach(f -> byPath.put(f.path(), f));
    return byPath;
  }

  /** The JSON names of a record's fields, in declaration order (the canonical order). */
  static List<String> jsonNames(Class<?> record) {
    return Arrays.stream(record.getRecordComponents()).map(OrderSchemaCorpus::jsonName).toList();
  }

  private static List<Field> fields(Class<?> record, String prefix, JsonPointer parent) {
    List<Field> fields = new ArrayList<>();
    for (RecordComponent component : record.getRecordComponents()) {
      String name = jsonName(component);
      String path = prefix + name;
      JsonPointer here = parent.appendProperty(name);
      Class<?> type = component.getType();
      if (type.isRecord()) {
        fields.add(new Field(path, parent, name, Kind.OBJECT));
        fields.addAll(fields(type, path + ".", here));
      } else if (type == List.class) {
        fields.add(new Field(path, parent, name, Kind.ARRAY));
        Class<?> element =
            (Class<?>) ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0];
        fields.addAll(fields(element, path + "[0].", here.appendIndex(0)));
      } else if (type == String.class) {
        Kind kind = MAY_BE_EMPTY.contains(path) ? Kind.TEXT_MAY_BE_EMPTY : Kind.TEXT;
        fields.add(new Field(path, parent, name, kind));
      } else if (type == int.class) {
        fields.add(new Field(path, parent, name, Kind.INT));
      } else if (type == long.class) {
        fields.add(new Field(path, parent, name, Kind.LONG));
      } else {
        throw new IllegalStateException(path + ": no probes for a field of type " + type);
      }
    }
    return fields;
  }

  private static String jsonName(RecordComponent component) {
    // @JsonProperty cannot target record components; the compiler copies it to the accessor.
    JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
    return property == null ? component.getName() : property.value();
  }

  private void randomOrders() {
    RandomOrders random = new RandomOrders(SEED);
    OrderCodec codec = OrderCodec.standard();
    for (int i = 0; i < RANDOM_ORDERS; i++) {
      String json = new String(codec.encode(random.next()), UTF_8);
      add("random order #" + i + " (seed " + SEED + ")", json, VALID);
    }
  }

  /** Missing, null, and each JSON type the field must not have. */
  private void presenceAndTypes(Field field) {
    add(field.path() + ": missing", without(field), INVALID);
    with(field, "null", NODES.nullNode(), INVALID);
    with(field, "true (a boolean)", NODES.booleanNode(true), INVALID);
    switch (field.kind()) {
      case TEXT, TEXT_MAY_BE_EMPTY -> {
        with(field, "5 (a number for a string)", NODES.numberNode(5), INVALID);
        with(field, "{} (an object for a string)", NODES.objectNode(), INVALID);
        with(field, "[] (an array for a string)", NODES.arrayNode(), INVALID);
      }
      case INT, LONG -> {
        with(field, "\"1\" (a string for a number)", NODES.textNode("1"), INVALID);
        with(field, "1.5 (a fraction for an integer)", raw("1.5"), INVALID);
        with(field, "{} (an object for a number)", NODES.objectNode(), INVALID);
        with(field, "[1] (an array for a number)", NODES.arrayNode().add(1), INVALID);
      }
      case OBJECT -> {
        with(field, "[] (an array for an object)", NODES.arrayNode(), INVALID);
        with(field, "\"x\" (a string for an object)", NODES.textNode("x"), INVALID);
        with(field, "1 (a number for an object)", NODES.numberNode(1), INVALID);
        with(field, "{} (an empty object)", NODES.objectNode(), INVALID);
      }
      case ARRAY -> {
        with(field, "{} (an object for an array)", NODES.objectNode(), INVALID);
        with(field, "\"x\" (a string for an array)", NODES.textNode("x"), INVALID);
        with(field, "1 (a number for an array)", NODES.numberNode(1), INVALID);
      }
    }
  }

  /** Blank, empty and NUL for strings; zero, the bounds and one past them for numbers. */
  private void values(Field field) {
    switch (field.kind()) {
      case TEXT, TEXT_MAY_BE_EMPTY -> strings(field);
      case INT -> {
        number(field, "0", VALID);
        number(field, "-0", VALID);
        number(field, String.valueOf(Integer.MAX_VALUE), VALID);
        number(field, String.valueOf(Integer.MAX_VALUE + 1L), INVALID);
        number(field, "-1", INVALID);
        number(field, String.valueOf(Integer.MIN_VALUE), INVALID);
        number(field, String.valueOf(Integer.MIN_VALUE - 1L), INVALID);
      }
      case LONG -> {
        number(field, "0", VALID);
        number(field, "-0", VALID);
        number(field, String.valueOf(Integer.MAX_VALUE + 1L), VALID);
        number(field, String.valueOf(Long.MAX_VALUE), VALID);
        number(field, BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE).toString(), INVALID);
        number(field, "-1", INVALID);
        number(field, String.valueOf(Long.MIN_VALUE), INVALID);
      }
      case OBJECT, ARRAY -> {
        // Their contents are probed field by field; shapes() probes the array's elements.
      }
    }
  }

  private void strings(Field field) {
    boolean mayBeEmpty = field.kind() == Kind.TEXT_MAY_BE_EMPTY;
    Verdict blank = mayBeEmpty ? VALID : INVALID;
    text(field, "", blank);
    // Every character Java calls white space, taken from the JDK itself so that the schema's
    // list of them cannot silently fall behind.
    IntStream.rangeClosed(0, Character.MAX_CODE_POINT)
        .filter(Character::isWhitespace)
        .forEach(c -> text(field, Character.toString(c), blank));
    text(field, " \t\r\n ", blank);
    text(field, "\u0000", INVALID);
    text(field, "a\u0000b", INVALID);
    if (!PATTERNED.contains(field.path())) {
      for (char c : NOT_WHITESPACE_TO_JAVA) {
        text(field, String.valueOf(c), VALID);
      }
      text(field, " padded ", VALID);
      text(field, "x".repeat(10_000), VALID);
      text(field, "Кроссовки 👟", VALID);
    }
  }

  /** The rules of single fields beyond presence, type and blankness. */
  private void fieldRules() {
    Map<String, Field> byPath = fieldsByPath();

    Field uid = byPath.get("order_uid");
    texts(uid, VALID, "a", "x".repeat(64), "Az09_-", "-", "_");
    texts(uid, INVALID, "x".repeat(65), "a/b", "a b", "a.b", "ü", "abc\n", "\nabc", "abc ", "a+b");

    Field created = byPath.get("date_created");
    texts(
        created,
        VALID,
        "2021-11-26T06:22:19Z",
        "2021-11-26t06:22:19z",
        "2021-11-26T06:22Z",
        "2021-11-26T09:22:19.123+03:00",
        "2021-11-26T06:22:19.123456789Z",
        "2021-11-26T06:22:19.Z",
        "2021-11-26T06:22:19+03",
        "2021-11-26T06:22:19+03:00:00",
        "2021-11-26T06:22:19+01:30:59",
        "2021-11-26T06:22:19-00:00",
        "2021-11-26T06:22:19+18:00",
        "2021-11-26T06:22:19-18:00:00",
        "2024-02-29T00:00Z",
        "2021-04-30T00:00Z",
        "2021-12-31T23:59:59Z",
        "0000-01-01T00:00Z",
        "9999-12-31T23:59:59.999999999+05:30");
    texts(
        created,
        INVALID,
        "2021-11-26 06:22:19",
        "2021-11-26T06:22:19",
        "2021-11-26 06:22:19Z",
        "2021-11-26",
        "06:22:19Z",
        "2021-11-26T06:22:19.1234567891Z",
        "2016-12-31T23:59:60Z",
        "2021-11-26T24:00:00Z",
        "2021-11-26T06:60:00Z",
        "2021-11-26T06:22:19,5Z",
        "2021-11-26T06:22:19+19:00",
        "2021-11-26T06:22:19+18:30",
        "2021-11-26T06:22:19+18:00:01",
        "2021-11-26T06:22:19+0300",
        "2021-11-26T06:22:19+3",
        "2021-11-26T06:22:19+03:00:00.5",
        "2021-11-26T06:22:19UTC",
        "2021-11-26T06:22:19+03:00[Europe/Moscow]",
        "2021-04-31T00:00Z",
        "2021-02-30T00:00Z",
        "2021-13-01T00:00Z",
        "2021-00-01T00:00Z",
        "2021-01-00T00:00Z",
        "2021-1-26T06:22:19Z",
        "21-11-26T06:22:19Z",
        "10000-01-01T00:00Z",
        "+2021-01-01T00:00Z",
        "２０２１-11-26T06:22:19Z",
        "2021-11-26T06:22:19Z ",
        "2021-11-26T06:22:19Z\n");

    Field email = byPath.get("delivery.email");
    texts(
        email,
        VALID,
        "test@gmail.com",
        "a@b.c",
        "a@1.2",
        "A@EXAMPLE.COM",
        "user+tag@example.com",
        "!#$%&'*+/=?^_`{|}~-@example.com",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@b-c.d-e",
        "a@xn--80ak6aa92e.com",
        "l".repeat(64) + "@example.com",
        "a@" + "d".repeat(63) + ".com");
    texts(
        email,
        INVALID,
        "l".repeat(65) + "@example.com",
        "a@" + "d".repeat(64) + ".com",
        "test@",
        "test.gmail.com",
        "@example.com",
        "a@@example.com",
        "a@localhost",
        "a@-b.com",
        "a@b-.com",
        "a@b..com",
        "a@.b.com",
        "a@b.com.",
        "a@b_c.com",
        "\"q\"@example.com",
        "a@[127.0.0.1]",
        "a b@example.com",
        "ü@example.com",
        "a@ü.com",
        " user@example.com",
        "user@example.com\n");

    Field currency = byPath.get("payment.currency");
    texts(currency, VALID, "USD", "XXX");
    texts(currency, INVALID, "usd", "Usd", "US", "USDX", "US1", "ÜSD", "U D", "USD\n");
  }

  /** Unknown fields, the document's own shape, and the items array's elements. */
  private void shapes() {
    for (String at : List.of("", "/delivery", "/payment", "/items/0")) {
      ObjectNode doc = sample.deepCopy();
      ((ObjectNode) doc.at(at)).put("nickname", "x");
      add("an unknown field in " + (at.isEmpty() ? "the order" : at), json(doc), INVALID);
    }
    ObjectNode withNullUnknown = sample.deepCopy();
    withNullUnknown.putNull("nickname");
    add("an unknown field in the order, null", json(withNullUnknown), INVALID);

    add("the document: {}", "{}", INVALID);
    add("the document: null", "null", INVALID);
    add("the document: [] (an array)", "[]", INVALID);
    add("the document: the sample in an array", "[" + json(sample) + "]", INVALID);
    add("the document: \"order\" (a string)", "\"order\"", INVALID);
    add("the document: 42 (a number)", "42", INVALID);

    JsonNode item = sample.get("items").get(0);
    items("[] (none)", INVALID);
    items("two items", VALID, item, item);
    items("a hundred items", VALID, Collections.nCopies(100, item).toArray(JsonNode[]::new));
    items("[null]", INVALID, NODES.nullNode());
    items("an item and null", INVALID, item, NODES.nullNode());
    items("an item and a string", INVALID, item, NODES.textNode("x"));
    items("an item and an empty object", INVALID, item, NODES.objectNode());
    ObjectNode negativePrice = item.deepCopy();
    negativePrice.put("price", -1);
    items("a second item with price -1", INVALID, item, negativePrice);
    ObjectNode blankBrand = item.deepCopy();
    blankBrand.put("brand", " ");
    items("a second item with a blank brand", INVALID, item, blankBrand);
  }

  /**
   * Documents on which the schema cannot follow the service (see {@code KNOWN_DISAGREEMENTS} in
   * {@link OrderSchemaAgreementTest}): the number's spelling, the calendar, duplicate keys, the
   * size limit and text that is not Unicode; and expanded years, on which both now agree.
   */
  private void beyondTheSchema() {
    Map<String, Field> byPath = fieldsByPath();
    number(byPath.get("sm_id"), "99.0", INVALID);
    number(byPath.get("payment.payment_dt"), "1.637907727E9", INVALID);
    text(byPath.get("date_created"), "2021-02-29T00:00:00Z", INVALID);
    // Expanded years: java.time reads them, the service refuses them as the schema does.
    text(byPath.get("date_created"), "+10000-01-01T00:00:00Z", INVALID);
    text(byPath.get("date_created"), "-2021-11-26T06:22:19Z", INVALID);

    String sampleJson = json(sample);
    add("entry given twice", sampleJson.replaceFirst("\\{", "{\"entry\":\"WBIL\","), INVALID);
    ObjectNode big = sample.deepCopy();
    ((ObjectNode) big.get("delivery")).put("address", "x".repeat(OrderCodec.DEFAULT_MAX_BYTES));
    add("a document over 1 MiB", json(big), INVALID);
    // An escape in the JSON text: a Java string cannot hold a lone surrogate as UTF-8.
    add(
        "delivery.name: a lone surrogate escaped",
        sampleJson.replace("\"Test Testov\"", "\"Test\\ud800Testov\""),
        INVALID);
  }

  private void items(String what, Verdict expected, JsonNode... elements) {
    ObjectNode doc = sample.deepCopy();
    ArrayNode items = doc.putArray("items");
    for (JsonNode element : elements) {
      items.add(element);
    }
    add("items: " + what, json(doc), expected);
  }

  private void texts(Field field, Verdict expected, String... values) {
    for (String value : values) {
      text(field, value, expected);
    }
  }

  private void text(Field field, String value, Verdict expected) {
    with(field, quoted(value), NODES.textNode(value), expected);
  }

  private void number(Field field, String literal, Verdict expected) {
    with(field, literal, raw(literal), expected);
  }

  private void with(Field field, String what, JsonNode value, Verdict expected) {
    ObjectNode doc = sample.deepCopy();
    ((ObjectNode) doc.at(field.parent())).set(field.name(), value);
    add(field.path() + ": " + what, json(doc), expected);
  }

  private String without(Field field) {
    ObjectNode doc = sample.deepCopy();
    ((ObjectNode) doc.at(field.parent())).remove(field.name());
    return json(doc);
  }

  private void add(String name, String json, Verdict expected) {
    documents.add(new Document(name, json, expected));
  }

  private List<Document> checkedNames() {
    Set<String> seen = new HashSet<>();
    for (Document document : documents) {
      if (!seen.add(document.name())) {
        throw new IllegalStateException("two documents are named " + document.name());
      }
    }
    return List.copyOf(documents);
  }

  /** A number written exactly as given: Jackson would respell 1e2 or -0. */
  private static JsonNode raw(String literal) {
    return NODES.rawValueNode(new RawValue(literal));
  }

  private static String json(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A string value for a document's name: quoted, with invisible characters as escapes. */
  private static String quoted(String value) {
    StringBuilder s = new StringBuilder("\"");
    if (value.length() > 80) {
      s.append(value, 0, 20).append("…(").append(value.length()).append(" chars)");
    } else {
      value
          .codePoints()
          .forEach(
              c -> {
                if (isInvisible(c)) {
                  s.append(String.format("\\u%04X", c));
                } else {
                  s.appendCodePoint(c);
                }
              });
    }
    return s.append('"').toString();
  }

  private static boolean isInvisible(int c) {
    int type = Character.getType(c);
    return c != ' '
        && (Character.isISOControl(c)
            || Character.isWhitespace(c)
            || type == Character.SPACE_SEPARATOR
            || type == Character.FORMAT);
  }
}
