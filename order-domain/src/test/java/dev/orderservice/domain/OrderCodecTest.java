package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrderCodecTest {

  private final OrderCodec codec = OrderCodec.standard();

  @Test
  void theSampleOrderDecodesWithEveryField() {
    Order order = decoded(SampleOrder.bytes());

    assertThat(order.orderUid()).isEqualTo("b563feb7b2b84b6test");
    assertThat(order.delivery().email()).isEqualTo("test@gmail.com");
    assertThat(order.payment().paymentDt()).isEqualTo(1637907727L);
    assertThat(order.payment().requestId()).isEmpty();
    assertThat(order.items()).hasSize(1);
    assertThat(order.items().get(0).chrtId()).isEqualTo(9934930L);
    assertThat(order.items().get(0).nmId()).isEqualTo(2389212L);
    assertThat(order.dateCreated()).isEqualTo("2021-11-26T06:22:19Z");
    assertThat(order.oofShard()).isEqualTo("1");
  }

  @Test
  void canonicalJsonKeepsTheSampleFieldOrderWithoutWhitespace() throws Exception {
    String minifiedSample = new ObjectMapper().readTree(SampleOrder.bytes()).toString();

    byte[] canonical = codec.encode(decoded(SampleOrder.bytes()));

    assertThat(new String(canonical, UTF_8)).isEqualTo(minifiedSample);
  }

  @Test
  void randomValidOrdersRoundTripThroughTheCanonicalForm() {
    RandomOrders random = new RandomOrders(42);
    OrderValidator validator = new OrderValidator();
    for (int i = 0; i < 2_000; i++) {
      Order order = random.next();
      byte[] json = codec.encode(order);

      assertThat(validator.validate(order)).isEmpty();
      assertThat(decoded(json)).isEqualTo(order);
      assertThat(codec.encode(decoded(json))).isEqualTo(json);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "truncated document | {\"order_uid\":\"a\",\"items\":[ | line 1, column 27: Unexpected"
            + " end-of-input",
        "string for an integer | {\"sm_id\":\"99\"} | line 1, column 10: sm_id: expected an"
            + " integer",
        "integer for a string | {\"entry\":5} | line 1, column 10: entry: expected a string",
        "fraction for an integer | {\"sm_id\":1.5} | line 1, column 10: sm_id: expected an integer",
        "nested wrong type | {\"items\":[{\"price\":\"x\"}]} | items[0].price: expected an integer",
        "object expected | {\"delivery\":[]} | delivery: expected an object",
        "unknown field | {\"delivery\":{\"nickname\":\"x\"}} | delivery.nickname: unknown field",
        "duplicate key | {\"entry\":\"a\",\"entry\":\"b\"} | Duplicate field 'entry'",
        "not an object | [1] | line 1, column 1: expected an object",
        "unquoted string | {\"entry\":secret42} | line 1, column 10: unrecognized token: expected a"
            + " JSON value",
        "number out of range | {\"sm_id\":79991234567} | number out of range of int",
      })
  void aMalformedDocumentIsAFailureSayingWhereAndWhat(String what, String json, String reason) {
    DecodeResult result = codec.decode(json.getBytes(UTF_8));

    assertThat(result).isInstanceOf(DecodeResult.Failed.class);
    assertThat(((DecodeResult.Failed) result).reason()).contains(reason);
  }

  @Test
  void contentAfterTheOrderIsAFailure() {
    String json = new String(SampleOrder.bytes(), UTF_8).strip() + " {}";

    assertThat(failure(json))
        .isEqualTo("line 49, column 3: unexpected content after the end of the order");
  }

  @Test
  void aNullItemIsAFailure() {
    String json = new String(SampleOrder.bytes(), UTF_8).replaceFirst("\\[\\s*\\{", "[null,{");

    assertThat(failure(json)).endsWith("items: must not contain null");
  }

  @Test
  void aTruncatedDocumentSaysWhatWasExpectedWithoutParserNoise() {
    assertThat(failure("{\"order_uid\":\"a\""))
        .isEqualTo("line 1, column 17: Unexpected end-of-input: expected close marker for Object");
  }

  @Test
  void aReasonNeverQuotesTheInput() {
    assertThat(failure("{\"entry\":secret42}")).doesNotContain("secret42");
    assertThat(failure("{\"sm_id\":79991234567}")).doesNotContain("79991234567");
  }

  @Test
  void aMissingNumberIsReportedWithItsPath() {
    String json = new String(SampleOrder.bytes(), UTF_8).replace("\"amount\": 1817,", "");

    assertThat(failure(json)).endsWith("payment.amount: is required");
  }

  @Test
  void aMissingStringIsLeftForTheValidatorToReport() {
    String json = new String(SampleOrder.bytes(), UTF_8).replace("\"entry\": \"WBIL\",", "");

    Order order = decoded(json.getBytes(UTF_8));

    assertThat(order.entry()).isNull();
    assertThat(new OrderValidator().validate(order))
        .containsExactly(new Violation("entry", "is required"));
  }

  @Test
  void unknownFieldsCanBeIgnoredWhenAskedTo() {
    String json =
        new String(SampleOrder.bytes(), UTF_8).replace("{\n", "{\"extra\":{\"a\":[1]},\n");
    OrderCodec lenient = OrderCodec.builder().ignoreUnknownFields(true).build();

    assertThat(failure(json)).contains("extra: unknown field");
    assertThat(lenient.decode(json.getBytes(UTF_8)))
        .isEqualTo(
            new DecodeResult.Decoded(
                SampleOrder.order(),
                List.of("extra", "delivery.extra", "payment.extra", "items[].extra")));
  }

  @Test
  void aLenientCodecSaysWhichUnknownFieldsItSkippedWhereverTheyAre() {
    String json =
        new String(SampleOrder.bytes(), UTF_8)
            .replace("\"delivery\": {", "\"delivery\": {\"gift_note\": \"x\",")
            .replace("\"chrt_id\"", "\"wrap\": {\"paper\": \"red\"}, \"chrt_id\"");
    OrderCodec lenient = OrderCodec.builder().ignoreUnknownFields(true).build();

    DecodeResult decoded = lenient.decode(json.getBytes(UTF_8));

    assertThat(decoded).isInstanceOf(DecodeResult.Decoded.class);
    assertThat(((DecodeResult.Decoded) decoded).order()).isEqualTo(SampleOrder.order());
    assertThat(((DecodeResult.Decoded) decoded).ignoredFields())
        .containsExactly("delivery.gift_note", "items[].wrap");
    assertThat(codec.decode(SampleOrder.bytes()))
        .isEqualTo(new DecodeResult.Decoded(SampleOrder.order(), List.of()));
  }

  @Test
  void aFailureInsideALargerInputIsReportedAtItsPositionThere() {
    DecodeResult.Failed failure = new DecodeResult.Failed("price: expected an integer", 3, 14);

    assertThat(failure.reason()).isEqualTo("line 3, column 14: price: expected an integer");
    assertThat(failure.within(10, 5).reason())
        .isEqualTo("line 12, column 14: price: expected an integer");
    assertThat(new DecodeResult.Failed("x", 1, 7).within(10, 5).reason())
        .isEqualTo("line 10, column 11: x");
    assertThat(new DecodeResult.Failed("too big").within(10, 5).reason()).isEqualTo("too big");
  }

  @Test
  void aDocumentOverTheLimitIsRefusedBeforeParsing() {
    byte[] big = new byte[OrderCodec.DEFAULT_MAX_BYTES + 1];
    Arrays.fill(big, (byte) '{'); // not JSON at all: parsing it would give another reason

    assertThat(codec.decode(big))
        .isEqualTo(
            new DecodeResult.Failed(
                "the document is 1048577 bytes, over the limit of 1048576 bytes"));
  }

  @Test
  void theSizeLimitIsConfigurable() {
    OrderCodec small = OrderCodec.builder().maxBytes(100).build();

    assertThat(small.decode(SampleOrder.bytes())).isInstanceOf(DecodeResult.Failed.class);
    assertThat(small.maxBytes()).isEqualTo(100);
  }

  @Test
  void anEmptyDocumentIsAFailure() {
    assertThat(codec.decode(new byte[0]))
        .isEqualTo(new DecodeResult.Failed("the document is empty: expected a JSON object"));
    assertThat(failure("null")).contains("expected a JSON object");
  }

  private String failure(String json) {
    DecodeResult result = codec.decode(json.getBytes(UTF_8));
    assertThat(result).isInstanceOf(DecodeResult.Failed.class);
    return ((DecodeResult.Failed) result).reason();
  }

  private Order decoded(byte[] json) {
    DecodeResult result = codec.decode(json);
    assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
    return ((DecodeResult.Decoded) result).order();
  }
}
