package dev.orderservice.persistence;

import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.PersonalData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of personal data (README "Personal data"): the orders whose {@code date_created}
 * instant ({@code created_at}) is older than a cutoff are anonymized as an erasure does it ({@link
 * ErasureBatch}) or deleted with their rows, oldest first, at most {@value ErasureBatch#MAX_ORDERS}
 * a transaction and as many as take about {@link #TARGET_BATCH}, so that no batch holds its rows'
 * locks for long; the ingest's inserts of new orders never wait for it. After each batch a run
 * rests three times as long as the batch took ({@link #REST_FACTOR}), so that it takes at most a
 * quarter of the machine from the ingest and the reads. Every batch announces its orders on {@value
 * ErasureBatch#CHANNEL}, so that every instance drops them from its cache and redacts its live
 * feed; a deleted order is announced with the summary an erasure would leave (the customer's
 * pseudonym), in the transaction that deletes it. Each run that does its work is one entry of the
 * {@link AuditLog}.
 *
 * <p>One instance at a time: a run holds the session advisory lock {@value #ADVISORY_LOCK_KEY} on
 * the connection it works on, taken with {@code pg_try_advisory_lock}; a run that finds it held
 * (another instance is running) is skipped and says so. The lock goes with the connection, so an
 * instance that dies mid-run frees it. Orders without {@code created_at} yet (stored by a release
 * before V3, not backfilled yet) are left for a later run.
 *
 * <p>Thread safe; {@link #run} blocks for the whole run. An interrupt of the running thread stops
 * the run after the batch in progress (which commits): what was done stays done.
 */
public final class OrderRetention {

  /**
   * The key of the advisory lock a run holds ({@code pg_try_advisory_lock(bigint)}): the ASCII of
   * "orderRet", 8030591472427492724. Documented in the README, so that an operator can see who
   * holds it in {@code pg_locks}: {@code locktype = 'advisory'}, {@code classid} 1869767781 (the
   * high half), {@code objid} 1918002548 (the low half).
   */
  public static final long ADVISORY_LOCK_KEY = 0x6f72_6465_7252_6574L;

  /**
   * How long a run rests after each batch, as a multiple of the time the batch took: three times,
   * so that a run works a quarter of its time at most and leaves the rest of the CPU and the disk
   * to the ingest and the reads, as autovacuum's cost delay does. A retention is never urgent. With
   * twice, {@code bench/run retention} measured the ingest during a deleting run at 0.73x its rate
   * without, on 2 shared cores.
   */
  static final int REST_FACTOR = 3;

  /**
   * How long a batch should hold its locks: a run sizes its batches to it, from {@value
   * #FIRST_BATCH} orders up to the most, so that a busy machine (or a JIT still cold at start-up)
   * gets smaller batches rather than longer locks. A quarter of the second the issue allows.
   */
  static final Duration TARGET_BATCH = Duration.ofMillis(250);

  /** The first batch's size, before the run knows how long its orders take. */
  static final int FIRST_BATCH = 100;

  /** The smallest batch the sizing goes down to. */
  static final int SMALLEST_BATCH = 10;

  /** How many batches between two progress lines in the log. */
  static final int LOG_EVERY_BATCHES = 10;

  private static final Logger LOG = LoggerFactory.getLogger(OrderRetention.class);

  private static final String TRY_LOCK = "select pg_try_advisory_lock(?)";
  private static final String UNLOCK = "select pg_advisory_unlock(?)";
  // Oldest first, on orders_created_at_summary (read backwards), from where the batch before ended:
  // neither the erased orders (they stay) nor the dead index entries of the deleted ones are
  // walked again by every batch.
  private static final String NEXT_BATCH =
      "select order_uid, created_at, id from orders where created_at < ?"
          + " and (created_at, id) > (?, ?) %s order by created_at, id limit ?";
  private static final String LOCK_FOR_DELETE =
      "select order_uid from orders where order_uid = any(?) order by order_uid for update";
  // The children first, each in one statement: the foreign keys' cascade would delete them too, but
  // one query per deleted order and table; by then it finds nothing left to do.
  private static final List<String> DELETES =
      List.of(
          "delete from items where order_uid = any(?)",
          "delete from payment where order_uid = any(?)",
          "delete from delivery where order_uid = any(?)",
          "delete from orders where order_uid = any(?)");
  private static final OffsetDateTime BEFORE_ALL = OffsetDateTime.parse("-4713-11-24T00:00:00Z");
  private static final Settings SETTINGS = new Settings().withExecuteLogging(false);

  private final DataSource dataSource;
  private final int batchSize;
  private final int restFactor;

  /**
   * Retention on {@code dataSource}, {@value ErasureBatch#MAX_ORDERS} orders a batch, resting
   * {@value #REST_FACTOR} times as long as each batch took before the next.
   */
  public OrderRetention(DataSource dataSource) {
    this(dataSource, ErasureBatch.MAX_ORDERS, REST_FACTOR);
  }

  /** Retention with other batches or rests, for tests (several batches of a few orders). */
  OrderRetention(DataSource dataSource, int batchSize, int restFactor) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    if (batchSize < 1 || batchSize > ErasureBatch.MAX_ORDERS) {
      throw new IllegalArgumentException("batchSize must be 1.." + ErasureBatch.MAX_ORDERS);
    }
    if (restFactor < 0) {
      throw new IllegalArgumentException("restFactor must be >= 0");
    }
    this.batchSize = batchSize;
    this.restFactor = restFactor;
  }

  /** What a run does to the old orders. */
  public enum Action {
    /** Replaces their personal data by markers and a pseudonym, as an erasure does. */
    ANONYMIZE,
    /** Deletes them with their delivery, payment and items. */
    DELETE;

    /** The name in settings, logs and meters: lower case. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One batch, as it was committed.
   *
   * @param orders how many orders it anonymized or deleted
   * @param held from locking its rows to its commit
   */
  public record Batch(int orders, Duration held) {}

  /**
   * What a run did.
   *
   * @param action what it did to the old orders
   * @param cutoff the orders created before it were the old ones
   * @param skipped whether another instance held the lock, so that this run did nothing
   * @param orders how many orders it anonymized or deleted
   * @param batches how many transactions it committed
   * @param longestBatch the longest a batch held its locks; zero without batches
   * @param took from the start to the audit entry
   * @param interrupted whether it stopped early because its thread was interrupted
   */
  public record Run(
      Action action,
      Instant cutoff,
      boolean skipped,
      long orders,
      int batches,
      Duration longestBatch,
      Duration took,
      boolean interrupted) {}

  /**
   * Anonymizes or deletes the orders created before {@code cutoff}, unless another instance is at
   * it.
   *
   * @param onBatch told of every committed batch, on the calling thread (e.g. to count it)
   * @throws OrderStoreException if the database failed; the batches committed before stay done, and
   *     the lock is released with the connection
   */
  public Run run(Instant cutoff, Action action, Consumer<Batch> onBatch) {
    Objects.requireNonNull(cutoff, "cutoff");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(onBatch, "onBatch");
    return StoreFailures.call(
        "run the retention",
        () -> {
          try (Connection c = dataSource.getConnection()) {
            if (!lock(c, TRY_LOCK)) {
              LOG.info(
                  "retention: skipped, another instance holds the lock ({})", ADVISORY_LOCK_KEY);
              return new Run(action, cutoff, true, 0, 0, Duration.ZERO, Duration.ZERO, false);
            }
            try {
              return runLocked(c, cutoff, action, onBatch);
            } finally {
              unlock(c);
            }
          }
        });
  }

  /** Anonymizes or deletes as {@link #run} does, counting nothing. */
  public Run run(Instant cutoff, Action action) {
    return run(cutoff, action, batch -> {});
  }

  private Run runLocked(Connection c, Instant cutoff, Action action, Consumer<Batch> onBatch)
      throws SQLException {
    long start = System.nanoTime();
    LOG.info("retention: {} the orders created before {}", action.label(), cutoff);
    PersonalData personal = PseudonymKey.of(c);
    long orders = 0;
    int batches = 0;
    Duration longest = Duration.ZERO;
    boolean interrupted = false;
    Position after = new Position(BEFORE_ALL, 0);
    int size = Math.min(FIRST_BATCH, batchSize);
    c.setAutoCommit(false);
    try {
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          interrupted = true;
          break;
        }
        List<String> uids = new ArrayList<>(size);
        after = nextBatch(c, cutoff, action, after, size, uids);
        c.commit(); // the select's snapshot is not kept while the batch waits for locks
        if (uids.isEmpty()) {
          break;
        }
        long locked = System.nanoTime();
        int done =
            action == Action.ANONYMIZE ? anonymize(c, personal, uids) : delete(c, personal, uids);
        c.commit();
        Batch batch = new Batch(done, Duration.ofNanos(System.nanoTime() - locked));
        orders += done;
        batches++;
        longest = batch.held().compareTo(longest) > 0 ? batch.held() : longest;
        onBatch.accept(batch);
        if (batches % LOG_EVERY_BATCHES == 0) {
          LOG.info(
              "retention: {} {} orders in {} batches so far, longest batch {} ms",
              action == Action.ANONYMIZE ? "anonymized" : "deleted",
              orders,
              batches,
              longest.toMillis());
        }
        size = nextSize(size, batch.held());
        rest(batch.held());
      }
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Run run = new Run(action, cutoff, false, orders, batches, longest, took, interrupted);
    AuditLog.record(c, AuditLog.Action.RETENTION, null, orders, "retention", describe(run));
    LOG.info("retention: {}", describe(run));
    return run;
  }

  /**
   * The next batch's size: as many orders as would take {@link #TARGET_BATCH} at the last batch's
   * pace, at most twice the last size (one quick batch says little), within {@value
   * #SMALLEST_BATCH} and the most a batch may take.
   */
  int nextSize(int size, Duration held) {
    long nanos = Math.max(1, held.toNanos());
    long atPace = (long) (size * (double) TARGET_BATCH.toNanos() / nanos);
    long next = Math.min(2L * size, atPace);
    return (int) Math.max(Math.min(SMALLEST_BATCH, batchSize), Math.min(batchSize, next));
  }

  /**
   * Rests {@link #restFactor} times as long as the batch held its locks (see {@link #REST_FACTOR});
   * an interrupt ends the rest and, at the loop's check, the run.
   */
  private void rest(Duration batch) {
    try {
      // Why a sleep: the pause is the point, it leaves the machine to the ingest and the reads.
      Thread.sleep(batch.multipliedBy(restFactor).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Where the last batch ended, in the order the batches walk. */
  private record Position(OffsetDateTime createdAt, long id) {}

  /** Puts the next batch's uids into {@code uids}; where it ends. */
  private Position nextBatch(
      Connection c, Instant cutoff, Action action, Position after, int size, List<String> uids)
      throws SQLException {
    String sql =
        String.format(NEXT_BATCH, action == Action.ANONYMIZE ? "and erased_at is null" : "");
    Position last = after;
    try (PreparedStatement select = c.prepareStatement(sql)) {
      select.setObject(1, OrderSummaries.timestamptz(cutoff));
      select.setObject(2, after.createdAt());
      select.setLong(3, after.id());
      select.setInt(4, size);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          uids.add(rows.getString(1));
          last = new Position(rows.getObject(2, OffsetDateTime.class), rows.getLong(3));
        }
      }
    }
    return last;
  }

  private static int anonymize(Connection c, PersonalData personal, List<String> uids)
      throws SQLException {
    return ErasureBatch.erase(c, personal, uids).erased().size();
  }

  /**
   * Locks the orders (in uid order, as an erasure does, so the two never deadlock), announces them
   * as an erasure would leave them, and deletes them with their rows in the other tables.
   */
  private static int delete(Connection c, PersonalData personal, List<String> uids)
      throws SQLException {
    List<String> locked = new ArrayList<>(uids.size());
    try (PreparedStatement lock = c.prepareStatement(LOCK_FOR_DELETE)) {
      lock.setArray(1, c.createArrayOf("varchar", uids.toArray()));
      try (ResultSet rows = lock.executeQuery()) {
        while (rows.next()) {
          locked.add(rows.getString(1));
        }
      }
    }
    if (locked.isEmpty()) {
      return 0;
    }
    List<OrderSummary> announced = new ArrayList<>(locked.size());
    for (OrderSummary s :
        OrderSummaries.byUid(DSL.using(c, SQLDialect.POSTGRES, SETTINGS), locked).values()) {
      announced.add(withPseudonym(personal, s));
    }
    ErasureBatch.announce(c, announced);
    java.sql.Array orders = c.createArrayOf("varchar", locked.toArray());
    int deleted = 0;
    for (String sql : DELETES) {
      try (PreparedStatement delete = c.prepareStatement(sql)) {
        delete.setArray(1, orders);
        deleted = delete.executeUpdate(); // the last: the orders
      }
    }
    return deleted;
  }

  /** The summary with its customer's pseudonym, as an erasure leaves it. */
  private static OrderSummary withPseudonym(PersonalData personal, OrderSummary s) {
    String customer =
        PersonalData.isPseudonym(s.customerId())
            ? s.customerId()
            : personal.pseudonym(s.customerId());
    return new OrderSummary(
        s.orderUid(),
        s.trackNumber(),
        customer,
        s.dateCreated(),
        s.amount(),
        s.currency(),
        s.itemCount());
  }

  private static boolean lock(Connection c, String sql) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(sql)) {
      lock.setLong(1, ADVISORY_LOCK_KEY);
      try (ResultSet row = lock.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  /**
   * Releases the lock. A connection that cannot say it did is closed for good rather than given
   * back to the pool still holding it: the server releases a closed session's locks.
   */
  private static void unlock(Connection c) {
    try {
      lock(c, UNLOCK);
    } catch (SQLException | RuntimeException e) {
      LOG.warn("retention: could not release the lock ({}); closing its connection", e.toString());
      try {
        c.abort(Runnable::run);
      } catch (SQLException abortFailed) {
        e.addSuppressed(abortFailed);
      }
    }
  }

  private String describe(Run run) {
    return String.format(
        Locale.ROOT,
        "%s %d orders created before %s in %d batches (at most %d orders each), longest batch %d"
            + " ms, %d ms in all (rests included)%s",
        run.action() == Action.ANONYMIZE ? "anonymized" : "deleted",
        run.orders(),
        run.cutoff(),
        run.batches(),
        batchSize,
        run.longestBatch().toMillis(),
        run.took().toMillis(),
        run.interrupted() ? "; stopped early by the shutdown" : "");
  }
}
