package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrderDocumentsTest {

  private static final int LIMIT = 1024 * 1024;

  @Test
  void anArrayIsCutIntoItsElementsEachWithItsIndexAndWhereItStarts() {
    String input = "[\n  {\"a\": 1},\n  {\"b\": [2, 3]}, {\"c\": \"é\"}\n]";

    List<OrderDocument> documents = OrderDocuments.read(input.getBytes(UTF_8), LIMIT);

    assertThat(documents)
        .extracting(d -> new String(d.json(), UTF_8))
        .containsExactly("{\"a\": 1}", "{\"b\": [2, 3]}", "{\"c\": \"é\"}");
    assertThat(documents).extracting(OrderDocument::arrayIndex).containsExactly(0, 1, 2);
    assertThat(documents).extracting(OrderDocument::line).containsExactly(2L, 3L, 3L);
    assertThat(documents).extracting(OrderDocument::column).containsExactly(3L, 3L, 18L);
    assertThat(documents.get(2).where()).isEqualTo("[2] (line 3)");
    assertThat(documents).allMatch(d -> d.unreadable().isEmpty());
  }

  @Test
  void anElementWithIllFormedUtf8IsCutOutAsItIsAndTheNextIsRead() {
    byte[] input = {
      '[',
      '{',
      '"',
      'a',
      '"',
      ':',
      '"',
      (byte) 0xFF,
      (byte) 0xC0,
      (byte) 0x80,
      '"',
      '}',
      ',',
      ' ',
      '{',
      '"',
      'b',
      '"',
      ':',
      '2',
      '}',
      ']'
    };

    List<OrderDocument> documents = OrderDocuments.read(input, LIMIT);

    assertThat(documents).allMatch(d -> d.unreadable().isEmpty());
    assertThat(documents.get(0).json())
        .containsExactly('{', '"', 'a', '"', ':', '"', 0xFF, 0xC0, 0x80, '"', '}');
    assertThat(new String(documents.get(1).json(), UTF_8)).isEqualTo("{\"b\":2}");
  }

  @Test
  void ndjsonIsCutIntoLinesAndABlankLineIsNoDocument() {
    String input = "{\"a\": 1}\n\n{\"b\": 2}\r\n{broken\n";

    List<OrderDocument> documents = OrderDocuments.read(input.getBytes(UTF_8), LIMIT);

    assertThat(documents).extracting(OrderDocument::line).containsExactly(1L, 3L, 4L);
    assertThat(documents).extracting(OrderDocument::arrayIndex).containsOnly(-1);
    assertThat(new String(documents.get(2).json(), UTF_8)).isEqualTo("{broken");
    assertThat(documents.get(1).where()).isEqualTo("line 3");
  }

  @Test
  void anNdjsonLineOverTheLimitIsOneUnreadableDocumentAndReadingGoesOn() {
    String input = "{\"a\": 1}\n{\"long\": \"" + "x".repeat(200) + "\"}\n{\"c\": 3}\n";

    List<OrderDocument> documents = OrderDocuments.read(input.getBytes(UTF_8), 100);

    assertThat(documents).hasSize(3);
    assertThat(documents.get(1).unreadable())
        .hasValueSatisfying(
            f -> assertThat(f.reason()).isEqualTo("the document is over the limit of 100 bytes"));
    assertThat(documents.get(1).line()).isEqualTo(2);
    assertThat(documents.get(2).unreadable()).isEmpty();
  }

  @Test
  void linesAcrossTheReadersChunksComeOutWholeWithTheirNumbers() {
    StringBuilder input = new StringBuilder();
    List<String> expected = new java.util.ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int i = 1; i <= 5_000; i++) { // about 1.3 MB: lines straddle many 64 KiB chunks
      String line = "{\"n\": " + i + ", \"pad\": \"" + "é".repeat(random.nextInt(120)) + "\"}";
      expected.add(line);
      input.append(line).append(i % 3 == 0 ? "\r\n" : "\n");
    }

    List<OrderDocument> documents = OrderDocuments.read(input.toString().getBytes(UTF_8), LIMIT);

    assertThat(documents).hasSize(5_000);
    for (int i = 0; i < documents.size(); i++) {
      assertThat(new String(documents.get(i).json(), UTF_8)).isEqualTo(expected.get(i));
      assertThat(documents.get(i).line()).isEqualTo(i + 1);
    }
  }

  @Test
  void aLineOfExactlyTheLimitIsReadEvenWithACarriageReturn() {
    String atLimit = "{\"a\": \"" + "x".repeat(100 - 9) + "\"}";
    assertThat(atLimit.length()).isEqualTo(100);

    List<OrderDocument> documents =
        OrderDocuments.read(("{}\n" + atLimit + "\r\n{}").getBytes(UTF_8), 100);

    assertThat(documents).hasSize(3);
    assertThat(documents.get(1).unreadable()).isEmpty();
    assertThat(new String(documents.get(1).json(), UTF_8)).isEqualTo(atLimit);
  }

  @Test
  void aSyntaxErrorInAnArrayEndsItWithOneUnreadableDocumentAtItsPosition() {
    String input = "[\n {\"order_uid\": \"a\"},\n oops]";

    List<OrderDocument> documents = OrderDocuments.read(input.getBytes(UTF_8), LIMIT);

    assertThat(documents).hasSize(2);
    assertThat(documents.get(1).arrayIndex()).isEqualTo(1);
    assertThat(documents.get(1).unreadable())
        .hasValueSatisfying(f -> assertThat(f.reason()).startsWith("line 3, column 2: "));
  }

  @Test
  void aPrettyPrintedDocumentIsOneDocumentFromItsFirstLine() {
    String input = "\n\n{\n  \"a\": 1,\n  \"b\": 2\n}\n";

    List<OrderDocument> documents = OrderDocuments.read(input.getBytes(UTF_8), LIMIT);

    assertThat(documents)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.line()).isEqualTo(3);
              assertThat(d.column()).isEqualTo(1);
              assertThat(d.arrayIndex()).isEqualTo(-1);
            });
  }

  @Test
  void anEmptyInputHasNoDocuments() {
    assertThat(OrderDocuments.read(" \n\t\n".getBytes(UTF_8), LIMIT)).isEmpty();
    assertThat(OrderDocuments.isArray(" \n[1]".getBytes(UTF_8))).isTrue();
    assertThat(OrderDocuments.isArray("{}".getBytes(UTF_8))).isFalse();
  }
}
