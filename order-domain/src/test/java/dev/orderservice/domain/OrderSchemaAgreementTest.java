package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import dev.orderservice.domain.OrderSchemaCorpus.Document;
import dev.orderservice.domain.OrderSchemaCorpus.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema ({@code schema/order.schema.json}) and the service ({@link
 * OrderCodec#decode} then {@link OrderValidator#validate}) judge one corpus of documents and must
 * give the same verdict on each, except on the documents listed in {@link #KNOWN_DISAGREEMENTS}. A
 * rule changed on one side only makes this test fail.
 */
class OrderSchemaAgreementTest {

  /**
   * The documents on which the schema and the service disagree by design: rules that JSON Schema
   * cannot express, or that the contract deliberately does not offer. Keyed by document name (see
   * {@link OrderSchemaCorpus}); the value says why.
   */
  static final Map<String, String> KNOWN_DISAGREEMENTS =
      Map.ofEntries(
          entry(
              "sm_id: 99.0",
              "JSON Schema judges values, not their spelling, and 99.0 is the integer 99 to it;"
                  + " the codec refuses a fraction token where an integer belongs, as it refuses"
                  + " every coercion"),
          entry(
              "payment.payment_dt: 1.637907727E9",
              "the same for exponent notation: JSON Schema sees the integer 1637907727, the codec"
                  + " a floating-point token"),
          entry(
              "date_created: \"2021-02-29T00:00:00Z\"",
              "a pattern does not know leap years; java.time's strict resolver refuses 29"
                  + " February in 2021"),
          entry(
              "entry given twice",
              "the schema judges the parsed document, where a repeated key leaves one value; the"
                  + " codec refuses duplicate keys"),
          entry(
              "a document over 1 MiB",
              "JSON Schema has no keyword for a document's size; the codec refuses documents over"
                  + " OrderCodec.DEFAULT_MAX_BYTES before parsing them"),
          entry(
              "delivery.name: a lone surrogate escaped",
              "JSON's syntax lets an escape name half of a surrogate pair alone, and the schema"
                  + " judges the string it parses to; the codec follows I-JSON (RFC 7493), whose"
                  + " strings are Unicode text, which a lone surrogate is not: PostgreSQL could not"
                  + " store it as sent, and the stored rows and canonical JSON would disagree"));

  private static final OrderCodec CODEC = OrderCodec.standard();
  private static final OrderValidator VALIDATOR = new OrderValidator();

  private static List<Outcome> outcomes;

  /** Both verdicts on one document, with what each side said. */
  record Outcome(
      Document document, Verdict service, String serviceSays, Verdict schema, String schemaSays) {

    boolean agreed() {
      return service == schema;
    }

    @Override
    public String toString() {
      return document.name()
          + "\n    service: "
          + service
          + (serviceSays.isEmpty() ? "" : " (" + serviceSays + ")")
          + "\n    schema:  "
          + schema
          + (schemaSays.isEmpty() ? "" : " (" + schemaSays + ")");
    }
  }

  @BeforeAll
  static void judgeTheCorpusOnBothSides() {
    Schema schema = OrderSchemaResource.schema();
    outcomes = OrderSchemaCorpus.documents().stream().map(d -> judge(schema, d)).toList();

    long serviceValid = outcomes.stream().filter(o -> o.service() == Verdict.VALID).count();
    long agreed = outcomes.stream().filter(Outcome::agreed).count();
    System.out.printf(
        "order schema agreement: %d documents checked (%d valid and %d invalid by the service,"
            + " %d random orders of seed %d), %d agreed, %d listed exceptions%n",
        outcomes.size(),
        serviceValid,
        outcomes.size() - serviceValid,
        OrderSchemaCorpus.RANDOM_ORDERS,
        OrderSchemaCorpus.SEED,
        agreed,
        KNOWN_DISAGREEMENTS.size());
  }

  @Test
  void theSchemaAndTheServiceAgreeOnEveryDocumentButTheListedExceptions() {
    List<Outcome> unexpected =
        outcomes.stream()
            .filter(o -> !o.agreed() && !KNOWN_DISAGREEMENTS.containsKey(o.document().name()))
            .toList();
    List<Outcome> nowAgreeing =
        outcomes.stream()
            .filter(o -> o.agreed() && KNOWN_DISAGREEMENTS.containsKey(o.document().name()))
            .toList();

    assertThat(unexpected)
        .as(
            "documents on which the schema and the service disagree, not listed:\n%s",
            lines(unexpected))
        .isEmpty();
    assertThat(nowAgreeing)
        .as(
            "listed exceptions on which both sides now agree (drop them from the list):\n%s",
            lines(nowAgreeing))
        .isEmpty();
  }

  @Test
  void everyListedExceptionNamesADocumentOfTheCorpus() {
    Set<String> names = outcomes.stream().map(o -> o.document().name()).collect(Collectors.toSet());

    assertThat(names).containsAll(KNOWN_DISAGREEMENTS.keySet());
  }

  @Test
  void everyDocumentGetsTheServiceVerdictItWasWrittenFor() {
    // Guards the corpus itself: a probe that no longer breaks what it claims to break would
    // make agreement meaningless.
    List<Outcome> surprising =
        outcomes.stream().filter(o -> o.service() != o.document().expected()).toList();

    assertThat(surprising)
        .as(
            "documents the service judged otherwise than the corpus expects:\n%s",
            lines(surprising))
        .isEmpty();
  }

  @Test
  void theCorpusHoldsTheSampleTheRandomOrdersAndInvalidDocumentsOfEveryField() {
    assertThat(outcomes).first().extracting(o -> o.document().name()).isEqualTo("the sample");
    assertThat(outcomes)
        .filteredOn(o -> o.document().name().startsWith("random order #"))
        .hasSize(OrderSchemaCorpus.RANDOM_ORDERS);
    for (OrderSchemaCorpus.Field field : OrderSchemaCorpus.fields()) {
      assertThat(outcomes)
          .as("documents probing %s", field.path())
          .filteredOn(o -> o.document().name().startsWith(field.path() + ": "))
          .filteredOn(o -> o.service() == Verdict.INVALID)
          .hasSizeGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void theSchemaNamesExactlyTheModelsFieldsInCanonicalOrderAndRequiresEachOfThem()
      throws IOException {
    JsonNode root = new ObjectMapper().readTree(OrderSchemaResource.bytes());

    assertDescribes(root, root, Order.class);
    assertDescribes(root, root.at("/properties/delivery"), Delivery.class);
    assertDescribes(root, root.at("/properties/payment"), Payment.class);
    assertDescribes(root, root.at("/properties/items/items"), Item.class);
  }

  private static void assertDescribes(JsonNode root, JsonNode schema, Class<?> record) {
    JsonNode object = resolved(root, schema);
    List<String> names = OrderSchemaCorpus.jsonNames(record);
    List<String> properties = new ArrayList<>();
    object.get("properties").fieldNames().forEachRemaining(properties::add);
    List<String> required = new ArrayList<>();
    object.get("required").forEach(name -> required.add(name.asText()));

    assertThat(properties)
        .as("%s's properties", record.getSimpleName())
        .containsExactlyElementsOf(names);
    assertThat(required)
        .as("%s's required", record.getSimpleName())
        .containsExactlyElementsOf(names);
    assertThat(object.path("additionalProperties").isBoolean())
        .as("%s refuses unknown fields", record.getSimpleName())
        .isTrue();
    assertThat(object.path("additionalProperties").booleanValue()).isFalse();
  }

  /** The schema itself, or the definition its {@code $ref} points at. */
  private static JsonNode resolved(JsonNode root, JsonNode schema) {
    JsonNode ref = schema.get("$ref");
    return ref == null ? schema : root.at(JsonPointer.compile(ref.asText().substring(1)));
  }

  private static Outcome judge(Schema schema, Document document) {
    Verdict service;
    String serviceSays;
    DecodeResult decoded = CODEC.decode(document.json().getBytes(UTF_8));
    if (decoded instanceof DecodeResult.Failed failed) {
      service = Verdict.INVALID;
      serviceSays = failed.reason();
    } else {
      List<Violation> violations = VALIDATOR.validate(((DecodeResult.Decoded) decoded).order());
      service = violations.isEmpty() ? Verdict.VALID : Verdict.INVALID;
      serviceSays = violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
    }
    List<String> schemaErrors =
        schema.validate(document.json(), InputFormat.JSON).stream().map(Object::toString).toList();
    Verdict verdictOfSchema = schemaErrors.isEmpty() ? Verdict.VALID : Verdict.INVALID;
    return new Outcome(
        document, service, serviceSays, verdictOfSchema, String.join("; ", schemaErrors));
  }

  private static String lines(List<Outcome> outcomes) {
    return outcomes.stream().map(o -> "  " + o + whyListed(o)).collect(Collectors.joining("\n"));
  }

  private static String whyListed(Outcome outcome) {
    String reason = KNOWN_DISAGREEMENTS.get(outcome.document().name());
    return reason == null ? "" : "\n    listed because " + reason;
  }
}
