package dev.orderservice.persistence;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.persistence.OrderColumns.NewOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postgresql.PGStatement;

/**
 * One call of {@link PostgresOrderStore#saveAll}, run in the caller's transaction: classifies the
 * batch and writes the new orders with binary {@code COPY}, the fastest way into a table, one
 * statement per table whatever the batch size; foreign keys are checked as for any writer. Each
 * order's content hash is computed as its row is written, while the server works on the rows before
 * it.
 *
 * <p>Three ways to run, each a complete attempt that the caller commits or rolls back:
 *
 * <ol>
 *   <li>{@link Mode#OPTIMISTIC}: copy every uid of the batch (its first occurrence). When none is
 *       stored, as in a steady stream of new orders, that is all: four statements. A stored uid
 *       makes the primary key refuse the copy ({@link #lostARace}), and nothing is written.
 *   <li>{@link Mode#LOOK_UP_FIRST}: read the content hashes of the batch's uids that are stored
 *       (one index probe each), then copy the others: five statements. Another writer may store one
 *       of them in between; the copy is then refused the same way.
 *   <li>{@link Mode#ALONE}: as the second, with the orders table locked against other writers
 *       first, so what the lookup finds cannot change before the copy. Always completes.
 * </ol>
 *
 * <p>Whichever attempt completes, the outcome is what it would be had the batch run alone: INSERTED
 * for the first occurrence of each new uid, DUPLICATE or CONFLICT for the rest. The attempt ends
 * with a {@code NOTIFY} of the orders it inserted ({@link #announce}), delivered to listeners if
 * and when the caller commits.
 *
 * <p>Not thread safe; one instance per {@code saveAll} call, reused for its retries.
 */
final class BatchSave {

  /** How an attempt finds out which uids are stored. */
  enum Mode {
    OPTIMISTIC,
    LOOK_UP_FIRST,
    ALONE
  }

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String DEADLOCK = "40P01";

  /**
   * Sends the payloads in array order: with an ORDER BY, PostgreSQL evaluates a volatile function
   * such as pg_notify in the order of the sorted rows.
   */
  private static final String ANNOUNCE =
      "select pg_notify(?, payload)"
          + " from unnest(?::text[]) with ordinality as chunk(payload, n) order by n";

  private static final String STORED_HASHES =
      "select order_uid, content_hash from orders where order_uid = any(?)";

  private final List<EncodedOrder> batch;
  private final MessageDigest sha256 = sha256();

  /** Content hashes by batch index, computed when first needed. */
  private final byte[][] hashes;

  /** The first occurrence of each uid: the one that may be written. */
  private final Map<String, Integer> firstIndexByUid;

  /** The instant of each first occurrence's {@code date_created}, by batch index. */
  private final Instant[] createdAt;

  /** The stored hashes of the batch's uids that the last attempt found stored. */
  private Map<String, byte[]> stored = Map.of();

  /**
   * Checks, before any statement runs, what the schema cannot: that each order has its parts and
   * that each date_created that may be written means an instant.
   *
   * @throws NullPointerException if an order lacks its uid, delivery, payment or an item
   * @throws IllegalArgumentException if a date_created is not {@link OrderDates#isValid valid}
   */
  BatchSave(List<EncodedOrder> batch) {
    this.batch = batch;
    this.hashes = new byte[batch.size()][];
    this.firstIndexByUid = new LinkedHashMap<>();
    this.createdAt = new Instant[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      EncodedOrder order = batch.get(i);
      requireParts(order.order());
      if (firstIndexByUid.putIfAbsent(order.orderUid(), i) == null) {
        createdAt[i] = instantOf(order.order());
      }
    }
  }

  /**
   * Writes what is new and returns one result per input order, in input order.
   *
   * @throws SQLException with {@link #lostARace} if a uid the attempt meant to insert is stored (or
   *     being stored) by another transaction; the transaction must then be rolled back
   */
  List<SaveResult> run(Connection tx, Mode mode) throws SQLException {
    if (mode == Mode.ALONE) {
      try (Statement lock = tx.createStatement()) {
        lock.execute("lock table orders in share row exclusive mode");
      }
    }
    stored = mode == Mode.OPTIMISTIC ? Map.of() : storedHashes(tx);
    List<NewOrder> fresh = new ArrayList<>(firstIndexByUid.size() - stored.size());
    for (int i : firstIndexByUid.values()) {
      if (!stored.containsKey(batch.get(i).orderUid())) {
        int index = i;
        fresh.add(new NewOrder(batch.get(i), createdAt[i], () -> hash(index)));
      }
    }
    if (!fresh.isEmpty()) {
      OrderTables.copyRows(tx, fresh);
      announce(tx, fresh.stream().map(NewOrder::order).toList());
    }
    return results();
  }

  /**
   * Announces the orders this attempt inserts on {@value StoredOrdersListener#CHANNEL}, in
   * insertion order, in as many notifications as their summaries need ({@link
   * StoredOrdersPayload}), all in one statement. PostgreSQL delivers them when the transaction
   * commits, in commit order, and drops them if it rolls back, so only what is stored is ever
   * announced, exactly once.
   */
  private static void announce(Connection tx, List<Order> inserted) throws SQLException {
    List<String> payloads =
        StoredOrdersPayload.chunks(inserted.stream().map(OrderSummary::of).toList());
    try (PreparedStatement notify = tx.prepareStatement(ANNOUNCE)) {
      notify.setString(1, StoredOrdersListener.CHANNEL);
      notify.setArray(2, tx.createArrayOf("text", payloads.toArray()));
      notify.execute();
    }
  }

  /** Whether the last attempt found any of the batch's uids stored already. */
  boolean foundStored() {
    return !stored.isEmpty();
  }

  /**
   * Whether {@code e} says the batch lost a race with another writer of the same uids: that one
   * stored a uid first, or each waited for a uid the other was inserting (a deadlock, which the
   * server breaks by failing one of them).
   */
  static boolean lostARace(SQLException e) {
    return UNIQUE_VIOLATION.equals(e.getSQLState()) || DEADLOCK.equals(e.getSQLState());
  }

  /**
   * Nested objects must be there before any statement runs; a missing string is left to the
   * schema's NOT NULL constraints.
   */
  private static void requireParts(Order order) {
    Objects.requireNonNull(order.orderUid(), "an order has no order_uid");
    Objects.requireNonNull(
        order.delivery(), () -> "order " + order.orderUid() + " has no delivery");
    Objects.requireNonNull(order.payment(), () -> "order " + order.orderUid() + " has no payment");
    for (Item item : order.items()) {
      Objects.requireNonNull(item, () -> "order " + order.orderUid() + " has a null item");
    }
  }

  /**
   * The instant of the order's date_created; none when it has no date_created, which the schema's
   * NOT NULL then refuses, as it does any other missing string.
   */
  private static Instant instantOf(Order order) {
    String dateCreated = order.dateCreated();
    if (dateCreated == null) {
      return null;
    }
    try {
      return OrderDates.instant(dateCreated);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "order " + order.orderUid() + ": date_created is " + e.getMessage(), e);
    }
  }

  private Map<String, byte[]> storedHashes(Connection tx) throws SQLException {
    Map<String, byte[]> stored = new HashMap<>();
    try (PreparedStatement select = tx.prepareStatement(STORED_HASHES)) {
      // Planned anew for each batch, never as a cached generic plan: one made while the table was
      // small scans it whole, and would go on doing so on this connection as the table grows
      // (measured: a store 200,000 orders into its life at a sixth of its rate).
      select.unwrap(PGStatement.class).setPrepareThreshold(0);
      select.setArray(1, tx.createArrayOf("varchar", firstIndexByUid.keySet().toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          stored.put(rows.getString(1), rows.getBytes(2));
        }
      }
    }
    return stored;
  }

  private List<SaveResult> results() {
    List<SaveResult> results = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      String uid = batch.get(i).orderUid();
      int first = firstIndexByUid.get(uid);
      boolean written = !stored.containsKey(uid);
      SaveOutcome outcome;
      if (i == first && written) {
        outcome = SaveOutcome.INSERTED;
      } else {
        // A later copy is compared with the first of the batch if that one was written, else
        // with what was already stored.
        byte[] reference = written ? hash(first) : stored.get(uid);
        outcome = Arrays.equals(reference, hash(i)) ? SaveOutcome.DUPLICATE : SaveOutcome.CONFLICT;
      }
      results.add(new SaveResult(uid, outcome));
    }
    return results;
  }

  private byte[] hash(int index) {
    if (hashes[index] == null) {
      hashes[index] = sha256.digest(batch.get(index).json());
    }
    return hashes[index];
  }

  /** A new SHA-256 digest: the content hash. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
