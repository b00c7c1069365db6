package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.domain.RandomOrders;
import dev.orderservice.persistence.AuditLog;
import dev.orderservice.server.OrderServer;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.testsupport.PersonalDataOrders;
import dev.orderservice.testsupport.TestBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code order-cli erase} against a real PostgreSQL: what it changes, says and records. */
class EraseCommandTest {

  private static final String NL = System.lineSeparator();
  private static final Delivery ERASED = PersonalData.erasedDelivery();

  @TempDir Path dir;
  private TestDatabase db;
  private StoredPersonalData stored;
  private final RandomOrders random = new RandomOrders(24);

  @BeforeEach
  void freshDatabase() {
    db = TestDatabase.fresh("erase");
    stored = new StoredPersonalData(db);
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void erasingAnOrderReplacesItsPersonalDataInTheRowsAndTheJsonAndRecordsIt() {
    Order order = random.next();
    Order other = random.next();
    stored.store(dir, List.of(order, other));

    Cli.Run run = Cli.run("erase", "--uid", order.orderUid(), "--db", db.url());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out())
        .isEqualTo(
            "erased 1 of 1 order; 0 already erased, 0 not stored"
                + NL
                + "erased: "
                + order.orderUid()
                + NL);
    assertThat(run.err()).isEmpty();
    String pseudonym = stored.pseudonym(order.customerId());
    assertThat(pseudonym).matches("erased-[0-9a-f]{32}");
    assertThat(stored.deliveryRow(order.orderUid())).isEqualTo(ERASED);
    assertThat(stored.customerColumn(order.orderUid())).isEqualTo(pseudonym + " (erased_at set)");
    String json = stored.storedJson(order.orderUid());
    assertThat(json).isEqualTo(stored.erasedJson(order));
    assertThat(json)
        .doesNotContain(order.delivery().name(), order.delivery().phone())
        .doesNotContain(order.delivery().email(), order.delivery().address())
        .doesNotContain("\"" + order.customerId() + "\"")
        .contains(order.trackNumber(), "\"[erased]\"", PersonalData.EMAIL_MARKER);
    assertThat(stored.storedJson(other.orderUid())).isEqualTo(StoredPersonalData.json(other));
    assertThat(stored.deliveryRow(other.orderUid())).isEqualTo(other.delivery());
    assertThat(stored.audit())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.action()).isEqualTo(AuditLog.Action.ERASE_ORDER.label());
              assertThat(entry.subject()).isEqualTo(order.orderUid());
              assertThat(entry.orders()).isEqualTo(1);
              assertThat(entry.origin()).isEqualTo("order-cli erase");
            });
  }

  @Test
  void erasingSeveralOrdersSaysWhichWereErasedBeforeAndWhichAreNotStored() {
    Order first = random.next();
    Order second = random.next();
    Order third = random.next();
    stored.store(dir, List.of(first, second, third));
    assertThat(Cli.run("--db", db.url(), "erase", "--uid", first.orderUid()).exitCode())
        .isEqualTo(ExitCode.OK);

    Cli.Run run =
        Cli.run(
            "--db",
            db.url(),
            "erase",
            "--uid",
            first.orderUid(),
            second.orderUid(),
            "--uid",
            "never-stored",
            "--uid",
            third.orderUid());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(run.out())
        .isEqualTo(
            "erased 2 of 4 orders; 1 already erased, 1 not stored"
                + NL
                + "erased: "
                + second.orderUid()
                + " "
                + third.orderUid()
                + NL
                + "already erased: "
                + first.orderUid()
                + NL
                + "not stored: never-stored"
                + NL);
    for (Order order : List.of(first, second, third)) {
      assertThat(stored.storedJson(order.orderUid())).isEqualTo(stored.erasedJson(order));
    }
    assertThat(stored.audit().get(0).orders()).isEqualTo(2);
  }

  @Test
  void erasingAnOrderTwiceChangesNothingTheSecondTimeAndSaysSo() {
    Order order = random.next();
    stored.store(dir, List.of(order));
    Cli.run("erase", "--uid", order.orderUid(), "--db", db.url());
    String erased = stored.storedJson(order.orderUid());

    Cli.Run again = Cli.run("erase", "--uid", order.orderUid(), "--db", db.url());

    assertThat(again.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(again.out())
        .isEqualTo(
            "erased 0 of 1 order; 1 already erased, 0 not stored"
                + NL
                + "already erased: "
                + order.orderUid()
                + NL);
    assertThat(stored.storedJson(order.orderUid())).isEqualTo(erased);
    assertThat(stored.audit()).extracting(AuditLog.Entry::orders).containsExactly(0L, 1L);
  }

  @Test
  void erasingAnUnknownOrderExitsWith3AndChangesNothing() {
    Order order = random.next();
    stored.store(dir, List.of(order));

    Cli.Run one = Cli.run("erase", "--uid", "no-such-order", "--db", db.url());
    Cli.Run two = Cli.run("erase", "--uid", "no-such-order", "nor-this", "--db", db.url());

    assertThat(one.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(one.out()).isEmpty();
    assertThat(one.err())
        .isEqualTo("order-cli: order no-such-order not found in the database" + NL);
    assertThat(two.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(two.err())
        .isEqualTo("order-cli: none of the 2 orders is stored: no-such-order nor-this" + NL);
    assertThat(stored.storedJson(order.orderUid())).isEqualTo(StoredPersonalData.json(order));
  }

  @Test
  void erasingACustomerErasesEachOfItsOrdersAndNamesItByItsPseudonymOnly() {
    String customer = "customer-" + random.next().orderUid();
    List<Order> theirs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      theirs.add(random.next().withCustomerId(customer));
    }
    Order someoneElses = random.next();
    List<Order> all = new ArrayList<>(theirs);
    all.add(someoneElses);
    stored.store(dir, all);

    Cli.Run run = Cli.run("erase", "--customer", customer, "--db", db.url());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    String pseudonym = stored.pseudonym(customer);
    assertThat(run.out())
        .isEqualTo("erased 3 orders of customer " + pseudonym + "; 0 already erased" + NL)
        .doesNotContain(customer);
    for (Order order : theirs) {
      assertThat(stored.storedJson(order.orderUid())).isEqualTo(stored.erasedJson(order));
      assertThat(stored.deliveryRow(order.orderUid())).isEqualTo(ERASED);
      assertThat(stored.customerColumn(order.orderUid())).isEqualTo(pseudonym + " (erased_at set)");
    }
    assertThat(stored.storedJson(someoneElses.orderUid()))
        .isEqualTo(StoredPersonalData.json(someoneElses));
    assertThat(stored.audit())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.action()).isEqualTo(AuditLog.Action.ERASE_CUSTOMER.label());
              assertThat(entry.subject()).isEqualTo(pseudonym);
              assertThat(entry.orders()).isEqualTo(3);
              assertThat(entry.origin()).isEqualTo("order-cli erase");
              assertThat(entry.detail()).doesNotContain(customer);
            });

    Cli.Run again = Cli.run("erase", "--customer", customer, "--db", db.url());

    assertThat(again.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(again.out())
        .isEqualTo("erased 0 orders of customer " + pseudonym + "; 3 already erased" + NL);
  }

  @Test
  void erasingACustomerLeavesNoneOfItsPersonalValuesInAnyColumnOfAnyTable() throws SQLException {
    PersonalDataOrders personal = new PersonalDataOrders(24);
    String customer = personal.customer("cli");
    List<EncodedOrder> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(personal.order(customer));
    }
    all.add(OrderCodec.standard().encoded(random.next()));
    // Stored as they are: their tagged values are made to be found, not to pass the validator.
    db.migrate().store().saveAll(all);
    assertThat(personal.cellsWithToken(db.pool(), db.schema())).as("before").isNotEmpty();

    Cli.Run run = Cli.run("erase", "--customer", customer, "--db", db.url());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    assertThat(personal.cellsWithToken(db.pool(), db.schema())).as("after").isEmpty();
    assertThat(run.out()).doesNotContain(PersonalDataOrders.TOKEN);
  }

  @Test
  void erasingACustomerWithoutOrdersExitsWith3() {
    stored.store(dir, List.of(random.next()));

    Cli.Run run = Cli.run("erase", "--customer", "nobody-at-all", "--db", db.url());

    assertThat(run.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("order-cli: no order of this customer is stored" + NL);
  }

  @Test
  void uidAndCustomerAreMutuallyExclusiveAndOneOfThemIsRequired() {
    Cli.Run both = Cli.run("erase", "--uid", "a", "--customer", "b", "--db", db.url());
    Cli.Run neither = Cli.run("erase", "--db", db.url());
    Cli.Run malformed = Cli.run("erase", "--uid", "not/a/uid", "--db", db.url());
    Cli.Run blank = Cli.run("erase", "--customer", " ", "--db", db.url());

    for (Cli.Run run : List.of(both, neither, malformed, blank)) {
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.USAGE);
      assertThat(run.out()).isEmpty();
      assertThat(run.err().lines())
          .singleElement()
          .asString()
          .startsWith("order-cli: ")
          .endsWith("(see order-cli erase --help)");
    }
    assertThat(both.err()).contains("mutually exclusive");
    assertThat(neither.err()).contains("--uid", "--customer");
    assertThat(malformed.err()).contains("--uid: not an order_uid: not/a/uid");
  }

  @Test
  void helpSaysWhatIsErasedThatItCannotBeUndoneAndTheExitCodes() {
    Cli.Run run = Cli.run("erase", "--help");

    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(run.out())
        .contains("--uid=UID", "--customer=ID", "[erased]", "erased@erased.invalid")
        .contains("cannot be undone", "Exit code 0", "3 when none is");
    assertThat(Cli.run("--help").out()).contains("erase", "export");
  }

  @Test
  void aRunningServerDropsTheErasedOrderFromItsCacheAndServesItErased()
      throws IOException, InterruptedException {
    Order order = random.next();
    stored.store(dir, List.of(order));
    String topic = TestBroker.newTopic("erase-server", 1);
    try (OrderServer server =
        OrderServer.start(
            ServerOptions.parse(
                new String[] {
                  "--http-addr",
                  "127.0.0.1:0",
                  "--db-dsn",
                  db.url(),
                  "--kafka-broker",
                  TestBroker.bootstrapServers(),
                  "--kafka-topic",
                  topic,
                  "--kafka-group",
                  topic + "-group"
                },
                Map.of()))) {
      URI uri = server.baseUri().resolve("/orders/" + order.orderUid());
      assertThat(get(uri)).as("cached by the server").isEqualTo(StoredPersonalData.json(order));

      assertThat(Cli.run("erase", "--uid", order.orderUid(), "--db", db.url()).exitCode())
          .isEqualTo(ExitCode.OK);

      String erased = stored.erasedJson(order);
      // The server hears of the erasure through PostgreSQL, as soon as the command commits.
      await().atMost(Duration.ofSeconds(10)).until(() -> get(uri).equals(erased));
    }
  }

  private static String get(URI uri) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return new String(response.body(), UTF_8);
  }
}
