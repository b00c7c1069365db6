package dev.orderservice.persistence;

import dev.orderservice.domain.OrderStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The record of what was done to personal data (V8's {@code audit_log}): every erasure, export and
 * retention run, when, what, how many orders and who asked. Never the personal data itself: a
 * customer is named by its pseudonym. Thread safe.
 */
public final class AuditLog {

  /** The most entries {@link #newest} returns. */
  public static final int MAX_LIMIT = 1_000;

  private static final String INSERT =
      "insert into audit_log (action, subject, orders, origin, detail) values (?, ?, ?, ?, ?)";
  private static final String NEWEST =
      "select id, at, action, subject, orders, origin, detail from audit_log"
          + " order by id desc limit ?";

  private final DataSource dataSource;

  public AuditLog(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** What was done: {@code erase_order}, {@code erase_customer}, {@code export_customer}, ... */
  public enum Action {
    ERASE_ORDER,
    ERASE_CUSTOMER,
    EXPORT_CUSTOMER,
    RETENTION;

    /** The name in the table and in {@code GET /audit}: lower case. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One entry.
   *
   * @param id its number, in the order entries were written
   * @param at when it was written (the database's clock)
   * @param action what was done ({@link Action#label})
   * @param subject the order's uid, the customer's pseudonym, or null
   * @param orders how many orders were erased, deleted or exported
   * @param origin the route or command that asked
   * @param detail more, in words, or null
   */
  public record Entry(
      long id,
      Instant at,
      String action,
      String subject,
      long orders,
      String origin,
      String detail) {}

  /** Writes an entry in its own transaction. */
  public void record(Action action, String subject, long orders, String origin, String detail) {
    StoreFailures.call(
        "write the audit log",
        () -> {
          try (Connection c = dataSource.getConnection()) {
            record(c, action, subject, orders, origin, detail);
          }
          return null;
        });
  }

  /** Writes an entry on {@code c}, in its transaction if it has one. */
  static void record(
      Connection c, Action action, String subject, long orders, String origin, String detail)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setString(1, action.label());
      insert.setString(2, subject);
      insert.setLong(3, orders);
      insert.setString(4, origin);
      insert.setString(5, detail);
      insert.executeUpdate();
    }
  }

  /**
   * The newest entries, newest first.
   *
   * @param limit how many, 1 to {@value #MAX_LIMIT}
   * @throws OrderStoreException if the database failed
   */
  public List<Entry> newest(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
    }
    return StoreFailures.call(
        "read the audit log",
        () -> {
          List<Entry> entries = new ArrayList<>(Math.min(limit, 100));
          try (Connection c = dataSource.getConnection();
              PreparedStatement select = c.prepareStatement(NEWEST)) {
            select.setInt(1, limit);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                entries.add(
                    new Entry(
                        rows.getLong(1),
                        rows.getObject(2, OffsetDateTime.class).toInstant(),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getLong(5),
                        rows.getString(6),
                        rows.getString(7)));
              }
            }
          }
          return entries;
        });
  }
}
