package dev.orderservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.persistence.AuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code order-cli export} against a real PostgreSQL: what it writes, where, and records. */
class ExportCommandTest {

  private static final String NL = System.lineSeparator();

  @TempDir Path dir;
  private TestDatabase db;
  private StoredPersonalData stored;
  private String customer;

  /** The customer's orders, oldest date_created first. */
  private List<Order> theirs;

  @BeforeEach
  void aCustomerWithThreeOrdersAndSomeoneElse() {
    db = TestDatabase.fresh("export");
    stored = new StoredPersonalData(db);
    RandomOrders random = new RandomOrders(15);
    customer = "customer-" + random.next().orderUid();
    theirs = new ArrayList<>();
    for (int day = 1; day <= 3; day++) {
      theirs.add(
          random.next().withCustomerId(customer).withDateCreated("2024-0" + day + "-15T10:00:00Z"));
    }
    // Not ASCII: the export must hand the stored UTF-8 bytes on unchanged.
    Order first = theirs.get(0);
    Delivery d = first.delivery();
    theirs.set(
        0,
        first.withDelivery(
            new Delivery(
                "Анна Тестова", d.phone(), d.zip(), "Москва", d.address(), d.region(), d.email())));
    List<Order> all = new ArrayList<>(theirs);
    all.add(random.next());
    // Stored newest first: the export's order is date_created's, not the import's.
    Collections.reverse(all);
    stored.store(dir, all);
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void exportWritesEachOrderOfTheCustomerAsItsStoredJsonOnALineOfItsOwnOldestFirst() {
    Cli.Run run = Cli.run("export", "--customer", customer, "--db", db.url());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).isEqualTo(expectedNdjson());
    assertThat(run.out()).contains("Анна Тестова");
    assertThat(run.err()).isEqualTo("exported 3 orders" + NL);
  }

  @Test
  void exportToAFileWritesItCompleteAndReadableByItsOwnerOnly() throws IOException {
    Path file = dir.resolve("access-request.ndjson");
    Files.writeString(file, "an older export");

    Cli.Run run =
        Cli.run("export", "--customer", customer, "--output", file.toString(), "--db", db.url());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("exported 3 orders to " + file + NL);
    assertThat(Files.readString(file)).isEqualTo(expectedNdjson());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no partial file left behind")
          .noneMatch(name -> name.endsWith(".part"));
    }
  }

  @Test
  void exportIsRecordedUnderTheCustomersPseudonym() {
    Cli.run("erase", "--uid", "not-this-customers", "--db", db.url()); // makes the pseudonym key

    Cli.run("export", "--customer", customer, "--db", db.url());

    assertThat(stored.audit().get(0))
        .satisfies(
            entry -> {
              assertThat(entry.action()).isEqualTo(AuditLog.Action.EXPORT_CUSTOMER.label());
              assertThat(entry.subject()).isEqualTo(stored.pseudonym(customer));
              assertThat(entry.orders()).isEqualTo(3);
              assertThat(entry.origin()).isEqualTo("order-cli export");
            });
  }

  @Test
  void aCustomerWithoutOrdersExitsWith3AndWritesNoFile() {
    Path file = dir.resolve("nobody.ndjson");

    Cli.Run run =
        Cli.run("export", "--customer", "nobody", "--output", file.toString(), "--db", db.url());

    assertThat(run.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("order-cli: no order of this customer is stored" + NL);
    assertThat(file).doesNotExist();
  }

  @Test
  void afterAnErasureTheOrdersAreExportedUnderThePseudonymAndNoLongerUnderTheId() {
    assertThat(Cli.run("erase", "--customer", customer, "--db", db.url()).exitCode())
        .isEqualTo(ExitCode.OK);
    String pseudonym = stored.pseudonym(customer);

    Cli.Run byId = Cli.run("export", "--customer", customer, "--db", db.url());
    Cli.Run byPseudonym = Cli.run("export", "--customer", pseudonym, "--db", db.url());

    assertThat(byId.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(byPseudonym.exitCode()).as(byPseudonym.err()).isEqualTo(ExitCode.OK);
    assertThat(byPseudonym.out().lines())
        .containsExactlyElementsOf(theirs.stream().map(stored::erasedJson).toList())
        .noneMatch(line -> line.contains("Анна") || line.contains(customer));
  }

  @Test
  void theCustomerIsRequired() {
    Cli.Run run = Cli.run("export", "--db", db.url());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("--customer").endsWith("(see order-cli export --help)" + NL);
  }

  /** The customer's orders as the store keeps them, a line each, oldest first. */
  private String expectedNdjson() {
    StringBuilder expected = new StringBuilder();
    for (Order order : theirs) {
      String json = stored.storedJson(order.orderUid());
      assertThat(json).isEqualTo(StoredPersonalData.json(order));
      expected.append(json).append('\n');
    }
    return expected.toString();
  }
}
