package dev.orderservice.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.persistence.CustomerExport;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code order-cli export --customer ID [--output FILE]}: every stored order of a customer as
 * NDJSON (an access request), through {@link CustomerExport}, as {@code GET
 * /customers/{customer_id}/orders.ndjson} does. The orders are written as they are read, so memory
 * stays the same for any number of them. A file is written beside its name and renamed when
 * complete, readable by its owner only: an export is personal data. The export is in the audit log
 * under {@value #ORIGIN}.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Exports every order of a customer stored in PostgreSQL (--db) as NDJSON, for an access"
          + " request.",
      "Each order's canonical JSON on a line of its own, oldest first, to standard output or"
          + " --output."
          + " Prints how many orders on stderr. The audit log records the export (origin"
          + " \"order-cli export\"). An erased customer's orders are found under its pseudonym"
          + " (erased-...), no longer under its id.",
      "Exit code 0 when the customer has stored orders, 3 when it has none, 1 on an operational"
          + " error."
    })
final class ExportCommand implements Callable<Integer> {

  /** How the audit log names this command. */
  static final String ORIGIN = "order-cli export";

  private static final int BUFFER_BYTES = 64 * 1024;

  @ParentCommand OrderCli cli;

  @Spec CommandSpec spec;

  @Option(
      names = "--customer",
      paramLabel = "ID",
      required = true,
      description = "The customer_id whose orders to export.")
  String customerId;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write to FILE (replaced if it exists; created readable by its owner only) instead of"
              + " standard output. FILE appears only once the export is complete.")
  Path output;

  @Override
  public Integer call() throws IOException {
    if (customerId.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--customer: must not be blank");
    }
    long written;
    // Migrated first: the audit log and the pseudonym key are tables of migration V8.
    try (HikariDataSource pool = Database.open(cli, true)) {
      CustomerExport export = new CustomerExport(pool);
      if (!export.hasOrders(customerId)) {
        return notFound();
      }
      written = output == null ? toStandardOutput(export) : toFile(export, output);
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "exported "
            + written
            + (written == 1 ? " order" : " orders")
            + (output == null ? "" : " to " + output));
    err.flush();
    return ExitCode.OK;
  }

  private int notFound() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("order-cli: no order of this customer is stored");
    err.flush();
    return ExitCode.NOT_FOUND;
  }

  private long toStandardOutput(CustomerExport export) {
    spec.commandLine().getOut().flush(); // anything printed before goes first
    return export.export(customerId, cli.standardOutput(), ORIGIN);
  }

  /**
   * Writes a temporary file in the target's folder ({@link Files#createTempFile} makes it readable
   * by its owner only where the file system has POSIX permissions) and renames it over the target
   * when the export is complete; on a failure the temporary file is deleted.
   */
  private long toFile(CustomerExport export, Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path folder = absolute.getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new CliException("cannot write " + target + ": no such folder");
    }
    Path partial;
    try {
      partial = Files.createTempFile(folder, "." + absolute.getFileName() + ".", ".part");
    } catch (IOException e) {
      throw new CliException("cannot write " + target + ": " + e, e);
    }
    try {
      long written;
      try (OutputStream out =
          new BufferedOutputStream(Files.newOutputStream(partial), BUFFER_BYTES)) {
        written = export.export(customerId, out, ORIGIN);
      }
      Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
      return written;
    } catch (UncheckedIOException e) {
      throw new CliException("cannot write " + target + ": " + e.getCause(), e);
    } catch (IOException e) {
      throw new CliException("cannot write " + target + ": " + e, e);
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
