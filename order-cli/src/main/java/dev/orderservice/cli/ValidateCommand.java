package dev.orderservice.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.orderservice.cli.ImportCommand.ByteCounter;
import dev.orderservice.cli.Tally.Outcome;
import dev.orderservice.cli.Tally.Rejection;
import dev.orderservice.domain.Violation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code order-cli validate FILE...}: checks order documents offline (no database, no broker) with
 * exactly the service's rules: its reader of single documents, arrays and NDJSON, its codec and
 * validator, through {@code OrderChecker.check}, as the server would read them. For producer teams
 * to run before they send, e.g. in CI.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Checks orders in files against the service's rules without storing or sending anything:"
          + " a single order, a JSON array of orders, or NDJSON (one order a line). Prints each"
          + " rejected document (file, line or array index, every violation as path: reason,"
          + " never the values) and a summary; progress on stderr.",
      "Exit code 0 when every document is a valid order, 2 when some are not, 1 when a file"
          + " cannot be read."
    })
final class ValidateCommand implements Callable<Integer> {

  @ParentCommand OrderCli cli;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "1..*",
      description = "Files to check; - is standard input.")
  List<String> files;

  @Option(
      names = "--format",
      paramLabel = "text|json",
      defaultValue = "text",
      description =
          "text for people; json for a machine-readable report on stdout (counts, and each"
              + " rejected document with file, line, index, order_uid, status and violations)."
              + " Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Documents checked at a time. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() throws IOException {
    boolean json =
        switch (format.strip().toLowerCase(Locale.ROOT)) {
          case "text" -> false;
          case "json" -> true;
          default ->
              throw new picocli.CommandLine.ParameterException(
                  spec.commandLine(), "--format must be text or json, was " + format);
        };
    if (batchSize < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--batch-size must be >= 1, was " + batchSize);
    }
    List<Path> paths = ImportCommand.checkedPaths(files);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    ByteCounter counter = new ByteCounter();
    Progress progress =
        new Progress(
            err,
            cli.terminal(),
            "documents checked",
            counter::bytes,
            ImportCommand.totalBytes(paths));
    // Rejected documents are written as they are found, so memory stays flat however many.
    try (Report report = json ? new JsonReport(out, files) : new TextReport(out)) {
      Tally tally = new Tally(report::rejected);
      OrderFeed feed =
          new OrderFeed(Destinations.checkOnly(cli.checker(err)), batchSize, tally, progress);
      ImportCommand.readAll(files, paths, feed, counter, cli.codec().maxBytes());
      progress.finish();
      report.summary(tally, files.size(), progress.elapsedSeconds());
      return tally.anyRejected() ? ExitCode.REJECTED : ExitCode.OK;
    }
  }

  /** Where the outcome goes: each rejected document as it is found, then a summary. */
  private interface Report extends AutoCloseable {
    void rejected(Rejection rejection);

    void summary(Tally tally, int fileCount, double seconds) throws IOException;

    @Override
    void close() throws IOException;
  }

  /** For people: one line per rejected document, then the counts. */
  private static final class TextReport implements Report {
    private final PrintWriter out;

    TextReport(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void rejected(Rejection rejection) {
      out.println(Tally.line(rejection));
    }

    @Override
    public void summary(Tally tally, int fileCount, double seconds) {
      long total = tally.total();
      out.println(
          String.format(
              Locale.ROOT,
              "checked %,d document%s from %d file%s in %.1f s",
              total,
              total == 1 ? "" : "s",
              fileCount,
              fileCount == 1 ? "" : "s",
              seconds));
      tally.print(out, List.of(Outcome.VALID, Outcome.INVALID));
    }

    @Override
    public void close() {
      out.flush();
    }
  }

  /**
   * For machines: one JSON object, {@code files}, then {@code rejected} (each with file, line,
   * array index, order_uid and violations), then the counts {@code documents}, {@code valid} and
   * {@code invalid}.
   */
  private static final class JsonReport implements Report {
    private final PrintWriter out;
    private final JsonGenerator g;

    JsonReport(PrintWriter out, List<String> files) throws IOException {
      this.out = out;
      this.g = new JsonFactory().createGenerator(new NonClosing(out)).useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeArrayFieldStart("files");
      for (String file : files) {
        g.writeString(file);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("rejected");
    }

    @Override
    public void rejected(Rejection r) {
      try {
        g.writeStartObject();
        g.writeStringField("file", r.origin().source());
        g.writeNumberField("line", r.origin().line());
        if (r.origin().index() >= 0) {
          g.writeNumberField("index", r.origin().index());
        }
        g.writeStringField("order_uid", r.orderUid());
        g.writeArrayFieldStart("violations");
        for (Violation v : r.violations()) {
          g.writeStartObject();
          g.writeStringField("path", v.path());
          g.writeStringField("reason", v.reason());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void summary(Tally tally, int fileCount, double seconds) throws IOException {
      g.writeEndArray();
      g.writeNumberField("documents", tally.total());
      g.writeNumberField("valid", tally.count(Outcome.VALID));
      g.writeNumberField("invalid", tally.count(Outcome.INVALID));
      g.writeEndObject();
    }

    @Override
    public void close() throws IOException {
      g.close();
      out.println();
      out.flush();
    }
  }

  /** The command's stdout stays open after the report. */
  private static final class NonClosing extends Writer {
    private final Writer out;

    NonClosing(Writer out) {
      this.out = out;
    }

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
      out.write(buffer, offset, length);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
