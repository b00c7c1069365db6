package dev.orderservice.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.persistence.OrderErasure;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code order-cli erase --uid UID... | --customer ID}: erases the personal data of orders through
 * {@link OrderErasure}, as {@code POST /orders/{order_uid}/erase} and {@code POST
 * /customers/{customer_id}/erase} do, and says what it did. Every running order-server hears of the
 * erasure through PostgreSQL and drops the orders from its cache; the erasure is in the audit log
 * under {@value #ORIGIN}. Prints the customer's pseudonym, never the customer id it was given.
 */
@Command(
    name = "erase",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Erases the personal data of orders stored in PostgreSQL (--db), given by order_uid or by"
          + " customer. It cannot be undone.",
      "The delivery's name, phone, zip, city, address and region become \"[erased]\", its e-mail"
          + " \"erased@erased.invalid\", the customer_id a pseudonym (erased-<32 hex digits>), in"
          + " the rows and in the stored JSON. Amounts, items, dates and track numbers stay. Running"
          + " order-servers drop the erased orders from their caches;"
          + " the audit log records the erasure (origin \"order-cli erase\").",
      "Prints what was done: erased, already erased, not stored. Exit code 0 when some order asked"
          + " for is stored (erased now or before), 3 when none is, 1 on an operational error."
    })
final class EraseCommand implements Callable<Integer> {

  /** How the audit log names this command. */
  static final String ORIGIN = "order-cli erase";

  @ParentCommand OrderCli cli;

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Subject subject;

  /** What to erase: some orders, or every order of one customer. */
  static final class Subject {
    @Option(
        names = "--uid",
        paramLabel = "UID",
        arity = "1..*",
        required = true,
        description =
            "The order_uid of an order to erase; repeat it, or give several after one --uid.")
    List<String> orderUids;

    @Option(
        names = "--customer",
        paramLabel = "ID",
        required = true,
        description =
            "Erase every order of this customer_id stored now. Its pseudonym (erased-...) names"
                + " the customer's already erased orders.")
    String customerId;
  }

  @Override
  public Integer call() {
    if (subject.customerId != null && subject.customerId.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--customer: must not be blank");
    }
    Set<String> uids = subject.orderUids == null ? Set.of() : checkedUids(subject.orderUids);
    OrderErasure.Result result;
    // Migrated first: the audit log and the pseudonym key are tables of migration V8.
    try (HikariDataSource pool = Database.open(cli, true)) {
      OrderErasure erasure = new OrderErasure(pool);
      result =
          uids.isEmpty()
              ? erasure.eraseCustomer(subject.customerId, ORIGIN)
              : erasure.eraseOrders(uids, ORIGIN);
    }
    if (result.nothingFound()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "order-cli: " + (uids.isEmpty() ? "no order of this customer is stored" : none(uids)));
      err.flush();
      return ExitCode.NOT_FOUND;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (uids.isEmpty()) {
      printCustomer(out, result);
    } else {
      printOrders(out, result, uids);
    }
    out.flush();
    return ExitCode.OK;
  }

  private Set<String> checkedUids(List<String> given) {
    Set<String> uids = new LinkedHashSet<>(given);
    for (String uid : uids) {
      if (!OrderValidator.isValidOrderUid(uid)) {
        throw new ParameterException(
            spec.commandLine(),
            "--uid: not an order_uid: " + uid + " (1..64 characters of [A-Za-z0-9_-])");
      }
    }
    return uids;
  }

  private static String none(Set<String> uids) {
    return uids.size() == 1
        ? "order " + uids.iterator().next() + " not found in the database"
        : "none of the " + uids.size() + " orders is stored: " + String.join(" ", uids);
  }

  /**
   * For example {@code erased 2 of 4 orders; 1 already erased, 1 not stored}, then the uids of each
   * kind on a line of its own.
   */
  private static void printOrders(PrintWriter out, OrderErasure.Result result, Set<String> uids) {
    List<String> before =
        uids.stream()
            .filter(uid -> !result.erased().contains(uid) && !result.notFound().contains(uid))
            .toList();
    out.println(
        "erased "
            + result.erased().size()
            + " of "
            + orders(uids.size())
            + "; "
            + result.alreadyErased()
            + " already erased, "
            + result.notFound().size()
            + " not stored");
    printUids(out, "erased", result.erased());
    printUids(out, "already erased", before);
    printUids(out, "not stored", result.notFound());
  }

  /**
   * For example {@code erased 3 orders of customer erased-0123...; 2 already erased}: the customer
   * by its pseudonym, which is how the erased orders and the audit log name it from now on.
   */
  private static void printCustomer(PrintWriter out, OrderErasure.Result result) {
    out.println(
        "erased "
            + orders(result.erased().size())
            + " of customer "
            + result.subject()
            + "; "
            + result.alreadyErased()
            + " already erased");
  }

  private static void printUids(PrintWriter out, String label, List<String> uids) {
    if (!uids.isEmpty()) {
      out.println(label + ": " + String.join(" ", uids));
    }
  }

  private static String orders(long n) {
    return n + (n == 1 ? " order" : " orders");
  }
}
