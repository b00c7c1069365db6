package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code order-cli validate}: offline, with exactly the service's reader, codec and validator. */
class ValidateCommandTest {

  private static final OrderCodec CODEC = OrderCodec.standard();

  @TempDir Path dir;

  @Test
  void anNdjsonFileWithBadLinesGetsEachReportedWithoutValuesAndExitCode2() throws Exception {
    RandomOrders random = new RandomOrders(41);
    List<String> lines = new ArrayList<>();
    List<Order> broken = new ArrayList<>();
    for (int i = 1; i <= 1_000; i++) {
      Order order = random.next();
      if (i % 50 == 0) {
        broken.add(order);
        lines.add(
            new String(ProduceCommand.spoiled(order, ProduceCommand.Defect.BROKEN_EMAIL), UTF_8));
      } else if (i % 50 == 25) {
        lines.add(
            new String(ProduceCommand.spoiled(order, ProduceCommand.Defect.TRUNCATED_JSON), UTF_8));
      } else {
        lines.add(new String(CODEC.encode(order), UTF_8));
      }
    }
    Path file = Files.write(dir.resolve("orders.ndjson"), lines, UTF_8);

    Cli.Run run = Cli.run("validate", file.toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.REJECTED);
    assertThat(run.out())
        .contains("checked 1,000 documents from 1 file")
        .contains("960 valid, 40 invalid")
        .containsPattern("orders.ndjson line 50 \\(order_uid \\w+\\): delivery.email: must be an")
        .containsPattern("orders.ndjson line 25 \\(order_uid \\w+\\): line 25, column \\d+: ");
    for (Order order : broken) {
      assertThat(run.out()).doesNotContain("not-an-e-mail").doesNotContain(order.delivery().name());
    }
  }

  @Test
  void aStringThatIsNotUnicodeTextIsReportedByItsPathWithoutItsValue() throws Exception {
    RandomOrders random = new RandomOrders(44);
    Order escaped = random.next();
    Order raw = random.next();
    String name = escaped.delivery().name();
    byte[] rawLine =
        new String(CODEC.encode(raw), UTF_8)
            .replace(raw.delivery().name(), "Ivan\u0000Petrov")
            .getBytes(UTF_8);
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    lines.writeBytes(
        (new String(CODEC.encode(escaped), UTF_8).replace(name, "Ivan\\ud800Petrov") + "\n")
            .getBytes(UTF_8));
    for (byte b : rawLine) {
      if (b == 0) {
        // A surrogate's bytes (CESU-8) where the NUL is: bytes no Java string can hold.
        lines.writeBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
      } else {
        lines.write(b);
      }
    }
    Path file = Files.write(dir.resolve("orders.ndjson"), lines.toByteArray());

    Cli.Run run = Cli.run("validate", file.toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.REJECTED);
    assertThat(run.out())
        .contains("0 valid, 2 invalid")
        .containsPattern(
            "orders.ndjson line 1 \\(order_uid \\w+\\): line 1, column \\d+: delivery.name: is"
                + " not Unicode text \\(a lone surrogate\\)")
        .containsPattern(
            "orders.ndjson line 2 \\(order_uid \\w+\\): line 2, column \\d+: delivery.name: is"
                + " not Unicode text \\(invalid UTF-8\\)")
        .doesNotContain("Ivan", "Petrov");
  }

  @Test
  void aFileOfValidOrdersExitsWith0AndNeedsNoDatabaseOrBroker() throws Exception {
    RandomOrders random = new RandomOrders(42);
    String array =
        "[\n"
            + new String(CODEC.encode(random.next()), UTF_8)
            + ",\n"
            + new String(CODEC.encode(random.next()), UTF_8)
            + "\n]";
    Path file = Files.writeString(dir.resolve("orders.json"), array);

    Cli.Run run = Cli.run("validate", file.toString(), "--db", "postgres://nobody@127.0.0.1:1/x");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).contains("checked 2 documents").contains("2 valid, 0 invalid");
  }

  @Test
  void theJsonReportSaysWhereAndWhyForEachRejectedDocument() throws Exception {
    RandomOrders random = new RandomOrders(43);
    Order good = random.next();
    Order bad = random.next("not a uid");
    String array =
        "["
            + new String(CODEC.encode(good), UTF_8)
            + ",\n"
            + new String(CODEC.encode(bad), UTF_8)
            + ",\n {\"sm_id\": \"1\"}]";
    Path file = Files.writeString(dir.resolve("batch.json"), array);

    Cli.Run run = Cli.run("validate", "--format", "json", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.REJECTED);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.path("documents").asInt()).isEqualTo(3);
    assertThat(report.path("valid").asInt()).isEqualTo(1);
    assertThat(report.path("invalid").asInt()).isEqualTo(2);
    JsonNode first = report.path("rejected").get(0);
    assertThat(first.path("file").asText()).isEqualTo(file.toString());
    assertThat(first.path("index").asInt()).isEqualTo(1);
    assertThat(first.path("line").asInt()).isEqualTo(2);
    assertThat(first.path("violations").findValuesAsText("path")).contains("order_uid");
    JsonNode second = report.path("rejected").get(1);
    assertThat(second.path("index").asInt()).isEqualTo(2);
    assertThat(second.path("violations").get(0).path("reason").asText())
        .startsWith("line 3, column ")
        .contains("sm_id");
  }

  @Test
  void standardInputIsReadWhenTheFileIsADash() throws Exception {
    byte[] order = CODEC.encode(new RandomOrders(44).next());
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(order));
      Cli.Run run = Cli.run("validate", "-");

      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
      assertThat(run.out()).contains("checked 1 document from 1 file");
    } finally {
      System.setIn(stdin);
    }
  }

  @Test
  void unknownFieldsAreInvalidUnlessTheyAreToBeIgnored() throws Exception {
    String json =
        new String(CODEC.encode(new RandomOrders(45).next()), UTF_8)
            .replaceFirst("\\{", "{\"gift_note\":\"x\",");
    Path file = Files.writeString(dir.resolve("new-field.json"), json);

    Cli.Run strict = Cli.run("validate", file.toString());
    Cli.Run lenient = Cli.run("validate", "--unknown-fields", "ignore", file.toString());

    assertThat(strict.exitCode()).isEqualTo(ExitCode.REJECTED);
    assertThat(strict.out()).contains("gift_note: unknown field");
    assertThat(lenient.exitCode()).as(lenient.err()).isEqualTo(ExitCode.OK);
    assertThat(lenient.err()).contains("note: ignored unknown field gift_note");
  }

  @Test
  void aMissingFileIsAnOperationalError() {
    Cli.Run run = Cli.run("validate", dir.resolve("nothing.json").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err()).contains("cannot read");
  }
}
