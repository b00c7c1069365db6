package dev.orderservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrderSummaryJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final OrderSummary SAMPLE =
      new OrderSummary(
          "b563feb7b2b84b6test", "WBILMTESTTRACK", "test", "2021-11-26T06:22:19Z", 1817, "USD", 1);

  @Test
  void aSummaryIsAnObjectOfItsFieldsInOrderWithoutWhitespace() {
    assertThat(OrderSummaryJson.toJson(SAMPLE))
        .isEqualTo(
            "{\"order_uid\":\"b563feb7b2b84b6test\",\"track_number\":\"WBILMTESTTRACK\","
                + "\"customer_id\":\"test\",\"date_created\":\"2021-11-26T06:22:19Z\","
                + "\"amount\":1817,\"currency\":\"USD\",\"item_count\":1}");
  }

  @Test
  void anyTextIsWrittenAsATreeOfTheSameFieldsWasAndReadsBackEqual() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      OrderSummary summary =
          new OrderSummary(
              text(random),
              text(random),
              text(random),
              text(random),
              random.nextInt(),
              text(random),
              random.nextInt(Integer.MAX_VALUE));
      // The answers of GET /orders and the live feed were trees of these fields before; their
      // bytes must not change.
      String asTree =
          MAPPER.writeValueAsString(
              MAPPER
                  .createObjectNode()
                  .put("order_uid", summary.orderUid())
                  .put("track_number", summary.trackNumber())
                  .put("customer_id", summary.customerId())
                  .put("date_created", summary.dateCreated())
                  .put("amount", summary.amount())
                  .put("currency", summary.currency())
                  .put("item_count", summary.itemCount()));

      String json = OrderSummaryJson.toJson(summary);

      assertThat(json).isEqualTo(asTree);
      assertThat(OrderSummaryJson.read(MAPPER.readTree(json))).isEqualTo(summary);
    }
  }

  @Test
  void aGeneratorsSettingsApply() throws IOException {
    OrderSummary cyrillic =
        new OrderSummary("u1", "Трек", "клиент \uD83D\uDE00", "2021-11-26T06:22:19Z", 1, "RUB", 2);
    StringWriter out = new StringWriter();
    JsonFactory ascii = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    try (JsonGenerator g = ascii.createGenerator(out)) {
      OrderSummaryJson.write(cyrillic, g);
    }

    assertThat(out.toString()).isEqualTo(out.toString().replaceAll("[^\\x00-\\x7F]", ""));
    assertThat(out.toString()).contains("\\u0422\\u0440\\u0435\\u043A", "\\uD83D\\uDE00");
    assertThat(OrderSummaryJson.read(MAPPER.readTree(out.toString()))).isEqualTo(cyrillic);
  }

  @Test
  void fieldsItDoesNotKnowAreSkipped() throws IOException {
    JsonNode withMore = MAPPER.readTree(OrderSummaryJson.toJson(SAMPLE));
    ((ObjectNode) withMore).put("gift", true);

    assertThat(OrderSummaryJson.read(withMore)).isEqualTo(SAMPLE);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"track_number\":\"WBILMTESTTRACK\" | \"track_number\":5"
            + " | track_number: expected a string",
        "\"amount\":1817 | \"amount\":\"1817\" | amount: expected an integer",
        "\"amount\":1817 | \"amount\":18.5 | amount: expected an integer",
        ",\"item_count\":1 | '' | item_count: is required",
      })
  void whatIsNotASummaryIsRefusedNamingTheFieldNotTheValue(
      String field, String replacement, String message) throws IOException {
    JsonNode broken = MAPPER.readTree(OrderSummaryJson.toJson(SAMPLE).replace(field, replacement));

    assertThatThrownBy(() -> OrderSummaryJson.read(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  /** Up to 12 characters from anywhere in Unicode, surrogate pairs whole. */
  private static String text(SplittableRandom random) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(13);
    while (text.length() < length) {
      int codePoint = random.nextInt(Character.MAX_CODE_POINT + 1);
      if (random.nextInt(4) == 0) {
        codePoint = random.nextInt(0x80); // controls, quotes and backslashes, often
      }
      if (codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE) {
        text.appendCodePoint(codePoint);
      }
    }
    return text.toString();
  }
}
