package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {

  private static final int LINES = 10_000;
  private static final Pattern INVALID_LINE = Pattern.compile("^invalid +\\S+ line (\\d+)");

  @TempDir Path dir;
  private TestDatabase db;

  @BeforeEach
  void freshDatabase() {
    db = TestDatabase.fresh("import");
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void importOfTenThousandLinesWithThreePercentBadOnesReportsEachBadLineAndExitsWith2()
      throws IOException {
    List<Integer> badLines = new ArrayList<>();
    Path file = ndjson(badLines);

    Cli.Run run = Cli.run("import", "--db", db.url(), file.toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.REJECTED);
    assertThat(run.out())
        .contains("imported 10,000 orders from 1 file")
        .contains("9700 inserted, 0 duplicates, 0 conflicts, 300 invalid");
    assertThat(reportedLines(run.out())).isEqualTo(badLines);
    assertThat(run.out())
        .containsPattern(
            "orders.ndjson line 7 \\(order_uid \\w+\\): delivery.email: must be an"
                + " e-mail address")
        // The position is in the file now (the one reader keeps where each line starts), and the
        // uid is told when the broken line still has it.
        .containsPattern("orders.ndjson line 40 \\(order_uid \\w+\\): line 40, column \\d+: ")
        .containsPattern("orders.ndjson line 73 \\(order_uid \\w+\\): track_number: is required");
    assertThat(db.count()).isEqualTo(9700);
  }

  @Test
  void importOfTheSameFileAgainFindsEveryOrderADuplicate() throws IOException {
    List<Integer> badLines = new ArrayList<>();
    Path file = ndjson(badLines);
    assertThat(Cli.run("import", "--db", db.url(), file.toString()).exitCode())
        .isEqualTo(ExitCode.REJECTED);

    Cli.Run again = Cli.run("import", file.toString(), "--db", db.url());

    assertThat(again.exitCode()).isEqualTo(ExitCode.REJECTED);
    assertThat(again.out()).contains("0 inserted, 9700 duplicates, 0 conflicts, 300 invalid");
    assertThat(reportedLines(again.out())).isEqualTo(badLines);
    assertThat(db.count()).isEqualTo(9700);
  }

  @Test
  void importOfAnArrayAndOfASinglePrettyOrderReportsByIndexAndExitsWith0WhenAllAreAccepted()
      throws IOException {
    RandomOrders random = new RandomOrders(7);
    OrderCodec codec = OrderCodec.standard();
    Path array = dir.resolve("orders.json");
    Files.writeString(
        array,
        "[\n"
            + new String(codec.encode(random.next()), UTF_8)
            + ",\n"
            + new String(
                ProduceCommand.spoiled(random.next(), ProduceCommand.Defect.BROKEN_EMAIL), UTF_8)
            + "\n]\n");
    Path single = dir.resolve("single.json");
    Files.writeString(single, pretty(codec.encode(random.next())));

    Cli.Run mixed = Cli.run("import", "--db", db.url(), array.toString());
    Cli.Run good = Cli.run("import", "--db", db.url(), single.toString());

    assertThat(mixed.exitCode()).isEqualTo(ExitCode.REJECTED);
    assertThat(mixed.out())
        .contains("1 inserted, 0 duplicates, 0 conflicts, 1 invalid")
        .contains("orders.json [1] (line 3)");
    assertThat(good.exitCode()).as(good.out() + good.err()).isEqualTo(ExitCode.OK);
    assertThat(good.out()).contains("1 inserted, 0 duplicates, 0 conflicts, 0 invalid");
  }

  @Test
  void aMissingFileIsAnOperationalErrorOnOneLine() {
    Cli.Run run = Cli.run("import", "--db", db.url(), dir.resolve("nope.ndjson").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err().lines())
        .hasSize(1)
        .first()
        .asString()
        .startsWith("order-cli: cannot read ")
        .endsWith("no such readable file");
  }

  /** 10,000 lines; 3 in every 100 bad, in turn a broken e-mail, truncated JSON, no track_number. */
  private Path ndjson(List<Integer> badLines) throws IOException {
    RandomOrders random = new RandomOrders(42);
    ProduceCommand.Defect[] defects = ProduceCommand.Defect.values();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int line = 1; line <= LINES; line++) {
      int inHundred = line % 100;
      int bad = inHundred == 7 ? 0 : inHundred == 40 ? 1 : inHundred == 73 ? 2 : -1;
      if (bad >= 0) {
        badLines.add(line);
        bytes.write(ProduceCommand.spoiled(random.next(), defects[bad]));
      } else {
        bytes.write(OrderCodec.standard().encode(random.next()));
      }
      bytes.write('\n');
    }
    Path file = dir.resolve("orders.ndjson");
    Files.write(file, bytes.toByteArray());
    return file;
  }

  private static List<Integer> reportedLines(String out) {
    List<Integer> lines = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = INVALID_LINE.matcher(line);
      if (m.find()) {
        lines.add(Integer.parseInt(m.group(1)));
      }
    }
    return lines;
  }

  private static String pretty(byte[] json) throws IOException {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(json));
  }
}
