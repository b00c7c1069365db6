package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * I-JSON's rule (RFC 7493) that every string is Unicode text: what is not, escaped or as bytes, is
 * refused with the path of the string and without its value.
 */
class OrderCodecUnicodeTextTest {

  private static final String SAMPLE = new String(SampleOrder.bytes(), UTF_8);

  private final OrderCodec codec = OrderCodec.standard();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a lone high surrogate | \"Test Testov\" | \"Test\\ud800Testov\" | delivery.name",
        "a lone low surrogate | \"Test Testov\" | \"Test\\uDC00Testov\" | delivery.name",
        "a pair in the wrong order | \"Test Testov\" | \"\\ude00\\ud83d\" | delivery.name",
        "a high surrogate last | \"Kraiot\" | \"Kraiot\\uD83D\" | delivery.region",
        "in an item | \"Mascaras\" | \"Mas\\udfffcaras\" | items[0].name",
        "in the uid | \"b563feb7b2b84b6test\" | \"b563\\ud800\" | order_uid",
      })
  void anEscapedLoneSurrogateIsRefusedWithItsPath(
      String what, String original, String replacement, String path) {
    DecodeResult.Failed failed = failed(SAMPLE.replaceFirst(original, quoted(replacement)));

    assertThat(failed.problem()).isEqualTo(path + ": is not Unicode text (a lone surrogate)");
    assertThat(failed.line()).isPositive();
  }

  @Test
  void aLoneSurrogateInTheMiddleOfAStringIsRefusedWithoutEchoingTheString() {
    DecodeResult.Failed failed = failed(SAMPLE.replace("\"Test Testov\"", "\"Test\\ud800Testov\""));

    assertThat(failed.reason())
        .startsWith("line 6, column 13: delivery.name")
        .doesNotContain("Test", "ud800", "\\");
  }

  @Test
  void anEscapedPairIsText() {
    Order order = decoded(SAMPLE.replace("\"Test Testov\"", "\"Test \\ud83d\\ude00\""));

    assertThat(order.delivery().name()).isEqualTo("Test \uD83D\uDE00");
  }

  @Test
  void anEscapedBackslashBeforeUd800IsText() {
    Order order = decoded(SAMPLE.replace("\"Test Testov\"", "\"Test\\\\ud800\""));

    assertThat(order.delivery().name()).isEqualTo("Test\\ud800");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a surrogate as bytes (CESU-8) | ED A0 80",
        "a pair as two surrogates' bytes | ED A0 BD ED B8 80",
        "an overlong NUL | C0 80",
        "an overlong slash in three bytes | E0 80 AF",
        "beyond U+10FFFF | F4 90 80 80",
        "a stray continuation byte | 80",
        "a lead byte without its continuation | E2 82",
        "a byte UTF-8 never has | FF",
      })
  void illFormedUtf8IsRefusedWithItsPath(String what, String hex) {
    byte[] json = spliced(SAMPLE, "Test Testov", "Test" + "\u0000" + "Testov", hex);

    DecodeResult.Failed failed = failed(json);

    assertThat(failed.problem()).isEqualTo("delivery.name: is not Unicode text (invalid UTF-8)");
    assertThat(failed.line()).isEqualTo(6);
  }

  @Test
  void wellFormedUtf8OfEveryLengthIsText() {
    String name = "Tést Тестов € \uD83D\uDE00 \uDBFF\uDFFF";
    Order order = decoded(SAMPLE.replace("Test Testov", name).getBytes(UTF_8));

    assertThat(order.delivery().name()).isEqualTo(name);
  }

  @Test
  void theFirstStringThatIsNotTextIsTheOneReported() {
    byte[] json =
        spliced(
            SAMPLE.replace("\"Mascaras\"", "\"Mas\\ud800caras\""),
            "Kiryat Mozkin",
            "Kiryat\u0000Mozkin",
            "C0 80");

    assertThat(failed(json).problem())
        .isEqualTo("delivery.city: is not Unicode text (invalid UTF-8)");
  }

  @Test
  void aFieldNameThatIsNotTextIsRefusedWithThePathOfItsObject() {
    assertThat(failed(SAMPLE.replace("\"zip\"", "\"zip\\ud800\"")).problem())
        .isEqualTo("delivery: a field name is not Unicode text (a lone surrogate)");
    assertThat(failed(spliced(SAMPLE, "\"entry\"", "\"en\u0000try\"", "ED B0 80")).problem())
        .isEqualTo("a field name is not Unicode text (invalid UTF-8)");
  }

  @Test
  void aLenientCodecRefusesItToInFieldsItWouldSkip() {
    OrderCodec lenient = OrderCodec.builder().ignoreUnknownFields(true).build();
    String withNote = SAMPLE.replace("\"zip\"", "\"gift_note\": \"\\udc00\", \"zip\"");
    String withOddName = SAMPLE.replace("\"zip\"", "\"gift\\udc00\": 1, \"zip\"");

    assertThat(((DecodeResult.Failed) lenient.decode(withNote.getBytes(UTF_8))).problem())
        .isEqualTo("delivery.gift_note: is not Unicode text (a lone surrogate)");
    assertThat(((DecodeResult.Failed) lenient.decode(withOddName.getBytes(UTF_8))).problem())
        .isEqualTo("delivery: a field name is not Unicode text (a lone surrogate)");
  }

  @Test
  void illFormedBytesOutsideAStringAreLeftToTheParser() {
    byte[] json = spliced(SAMPLE.strip() + "\u0000", "\u0000", "\u0000", "FF");

    assertThat(failed(json).problem()).doesNotContain("Unicode text");
  }

  /** {@code "text"}, the replacement of a CSV row already being quoted JSON. */
  private static String quoted(String json) {
    return json.replace("\\", "\\\\");
  }

  /**
   * {@code document} with {@code find} replaced by {@code replacement}, whose NUL is then replaced
   * by the bytes {@code hex}: bytes a Java string cannot hold.
   */
  private static byte[] spliced(String document, String find, String replacement, String hex) {
    byte[] bytes = document.replace(find, replacement).getBytes(UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : bytes) {
      if (b == 0) {
        for (String pair : hex.split(" ")) {
          out.write(Integer.parseInt(pair, 16));
        }
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  private DecodeResult.Failed failed(String json) {
    return failed(json.getBytes(UTF_8));
  }

  private DecodeResult.Failed failed(byte[] json) {
    DecodeResult result = codec.decode(json);
    assertThat(result).isInstanceOf(DecodeResult.Failed.class);
    return (DecodeResult.Failed) result;
  }

  private Order decoded(String json) {
    return decoded(json.getBytes(UTF_8));
  }

  private Order decoded(byte[] json) {
    DecodeResult result = codec.decode(json);
    assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
    return ((DecodeResult.Decoded) result).order();
  }
}
