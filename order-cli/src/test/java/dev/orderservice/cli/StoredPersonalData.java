package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.PersonalData;
import dev.orderservice.persistence.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The personal data of a test database as the erase and export tests look at it: orders stored
 * through {@code order-cli import}, what their rows and JSON hold, the pseudonym key and the audit
 * log, read straight from PostgreSQL.
 */
final class StoredPersonalData {

  private static final OrderCodec CODEC = OrderCodec.standard();

  private final TestDatabase db;

  StoredPersonalData(TestDatabase db) {
    this.db = db;
  }

  /** Stores {@code orders} with {@code order-cli import}, as NDJSON in {@code dir}. */
  void store(Path dir, List<Order> orders) {
    try {
      Path file = Files.createTempFile(dir, "orders", ".ndjson");
      Files.writeString(
          file, orders.stream().map(StoredPersonalData::json).collect(Collectors.joining("\n")));
      Cli.Run run = Cli.run("import", "--db", db.url(), file.toString());
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The order's canonical JSON, as the store keeps and serves it. */
  static String json(Order order) {
    return new String(CODEC.encode(order), UTF_8);
  }

  /** The stored canonical JSON of an order, as {@code GET /orders/{uid}} serves it. */
  String storedJson(String uid) {
    return db.store().findJson(uid).map(json -> new String(json, UTF_8)).orElseThrow();
  }

  /** The canonical JSON {@code order} has once erased, with this database's pseudonym key. */
  String erasedJson(Order order) {
    return json(personalData().erase(order));
  }

  /** The customer's pseudonym under this database's key. */
  String pseudonym(String customerId) {
    return personalData().pseudonym(customerId);
  }

  /** The delivery row of an order, field by field as the {@code delivery} table has it. */
  Delivery deliveryRow(String uid) {
    return query(
            "select name, phone, zip, city, address, region, email from delivery"
                + " where order_uid = ?",
            uid,
            rows ->
                new Delivery(
                    rows.getString(1),
                    rows.getString(2),
                    rows.getString(3),
                    rows.getString(4),
                    rows.getString(5),
                    rows.getString(6),
                    rows.getString(7)))
        .orElseThrow();
  }

  /** The {@code customer_id} column of an order's row, and whether {@code erased_at} is set. */
  String customerColumn(String uid) {
    return query(
            "select customer_id || case when erased_at is null then '' else ' (erased_at set)' end"
                + " from orders where order_uid = ?",
            uid,
            rows -> rows.getString(1))
        .orElseThrow();
  }

  /** The audit log, newest first. */
  List<AuditLog.Entry> audit() {
    return new AuditLog(db.pool()).newest(AuditLog.MAX_LIMIT);
  }

  private PersonalData personalData() {
    return new PersonalData(
        query("select key from pseudonym_key where id = ?", 1, rows -> rows.getBytes(1))
            .orElseThrow(() -> new AssertionError("no pseudonym key: nothing was erased yet")));
  }

  private interface Row<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private <T> Optional<T> query(String sql, Object parameter, Row<T> row) {
    try (Connection c = db.pool().getConnection();
        PreparedStatement select = c.prepareStatement(sql)) {
      select.setObject(1, parameter);
      try (ResultSet rows = select.executeQuery()) {
        List<T> found = new ArrayList<>(1);
        while (rows.next()) {
          found.add(row.read(rows));
        }
        assertThat(found).as(sql).hasSizeLessThanOrEqualTo(1);
        return found.stream().findFirst();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
