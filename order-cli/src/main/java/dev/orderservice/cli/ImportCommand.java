package dev.orderservice.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cli.Tally.Outcome;
import dev.orderservice.domain.OrderDocument;
import dev.orderservice.domain.OrderDocuments;
import dev.orderservice.domain.OrderService;
import dev.orderservice.persistence.PostgresOrderStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code order-cli import FILE...}: orders from files into the database (through {@link
 * OrderService}, so validated and stored exactly as the service does) or, with {@code --to-kafka},
 * onto the topic (checked by the service's {@link dev.orderservice.domain.OrderChecker}). Writes
 * straight to PostgreSQL, caching nothing: a running service reads imported orders through to the
 * database on its first miss.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Imports orders from files: a single order, a JSON array of orders, or NDJSON (one order a"
          + " line). Each is validated and stored in PostgreSQL (--db), or with --to-kafka"
          + " published to the topic. Prints progress on stderr and a summary on stdout: inserted,"
          + " duplicates, conflicts, invalid (each with file, line or index, and why).",
      "Exit code 0 when every order was accepted (a duplicate is), 2 when some were rejected, 1"
          + " on an operational error."
    })
final class ImportCommand implements Callable<Integer> {

  @ParentCommand OrderCli cli;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "1..*",
      description = "Files to import; - is standard input.")
  List<String> files;

  @Option(
      names = "--to-kafka",
      description =
          "Publish the valid orders to the topic (--kafka, --topic) instead of storing"
              + " them; invalid ones are reported and not sent.")
  boolean toKafka;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "500",
      description =
          "Orders per database transaction or per wait for Kafka's acknowledgements."
              + " Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--batch-size must be >= 1, was " + batchSize);
    }
    List<Path> paths = checkedPaths();
    int maxBytes = cli.codec().maxBytes();
    Tally tally = new Tally();
    ByteCounter counter = new ByteCounter();
    PrintWriter err = spec.commandLine().getErr();
    Progress progress =
        new Progress(
            err,
            cli.terminal(),
            toKafka ? "orders published" : "orders imported",
            counter::bytes,
            totalBytes(paths));
    List<Outcome> shown;
    if (toKafka) {
      try (KafkaProducer<byte[], byte[]> producer =
          KafkaClients.producer(cli.kafkaServers(), cli.kafkaClients())) {
        OrderFeed feed =
            new OrderFeed(
                Destinations.topic(producer, cli.topic(), cli.checker(err)),
                batchSize,
                tally,
                progress);
        readAll(files, paths, feed, counter, maxBytes);
      }
      shown = List.of(Outcome.PUBLISHED, Outcome.INVALID);
    } else {
      try (HikariDataSource pool = Database.open(cli, true)) {
        OrderService service = cli.service(new PostgresOrderStore(pool), err);
        OrderFeed feed = new OrderFeed(Destinations.store(service), batchSize, tally, progress);
        readAll(files, paths, feed, counter, maxBytes);
      }
      shown = List.of(Outcome.INSERTED, Outcome.DUPLICATE, Outcome.CONFLICT, Outcome.INVALID);
    }
    progress.finish();
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        String.format(
            Locale.ROOT,
            "%s %,d orders from %d file%s in %.1f s%s",
            toKafka ? "published" : "imported",
            tally.total(),
            files.size(),
            files.size() == 1 ? "" : "s",
            progress.elapsedSeconds(),
            toKafka ? " to topic " + cli.topic() : ""));
    tally.print(out, shown);
    return tally.anyRejected() ? ExitCode.REJECTED : ExitCode.OK;
  }

  private static Tally.Origin origin(String name, OrderDocument document) {
    return new Tally.Origin(name, document.line(), document.arrayIndex());
  }

  private List<Path> checkedPaths() {
    return checkedPaths(files);
  }

  /** Every file exists and is readable before anything is read; null entries are stdin. */
  static List<Path> checkedPaths(List<String> files) {
    return files.stream()
        .map(
            file -> {
              if (file.equals("-")) {
                return (Path) null;
              }
              Path path = Path.of(file);
              if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new CliException("cannot read " + file + ": no such readable file");
              }
              return path;
            })
        .toList();
  }

  /**
   * Cuts every input into documents with the service's one reader ({@link OrderDocuments}) and
   * feeds them in, each named {@code FILE line N} or {@code FILE [i] (line N)}.
   */
  static void readAll(
      List<String> files, List<Path> paths, OrderFeed feed, ByteCounter counter, int maxBytes)
      throws IOException {
    for (int i = 0; i < paths.size(); i++) {
      Path path = paths.get(i);
      String name = files.get(i);
      if (path == null) {
        OrderDocuments.read(
            counter.counting(System.in),
            maxBytes,
            document -> feed.document(origin(name, document), document));
        continue;
      }
      try (InputStream in = counter.counting(Files.newInputStream(path))) {
        OrderDocuments.read(
            in, maxBytes, document -> feed.document(origin(name, document), document));
      } catch (NoSuchFileException e) {
        throw new CliException("cannot read " + name + ": no such file");
      }
    }
    feed.finish();
  }

  static long totalBytes(List<Path> paths) {
    long total = 0;
    for (Path path : paths) {
      if (path == null) {
        return 0; // standard input has no known size: no bar
      }
      try {
        total += Files.size(path);
      } catch (IOException e) {
        return 0;
      }
    }
    return total;
  }

  /** Bytes read so far from every input, for the progress bar. */
  static final class ByteCounter {
    private long bytes;

    long bytes() {
      return bytes;
    }

    InputStream counting(InputStream in) {
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            bytes++;
          }
          return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          int n = super.read(buffer, offset, length);
          if (n > 0) {
            bytes += n;
          }
          return n;
        }

        @Override
        public void close() throws IOException {
          if (in != System.in) {
            super.close();
          }
        }
      };
    }
  }
}
