package dev.orderservice.persistence;

import dev.orderservice.domain.OrderSummary;
import dev.orderservice.persistence.StoredOrdersPayload.Announced;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears of every order that any instance stores, as soon as its transaction commits: the {@code
 * LISTEN} side of the notifications that {@link PostgresOrderStore#saveAll} sends on {@value
 * #CHANNEL} in the storing transaction.
 *
 * <pre>{@code
 * try (StoredOrdersListener feed =
 *     StoredOrdersListener.start(() -> DriverManager.getConnection(jdbcUrl), orders -> fanOut(orders))) {
 *   ...
 * }
 * }</pre>
 *
 * <p><b>What it promises.</b> {@link Listener#stored} gets the summaries of committed orders, in
 * commit order (orders of one transaction in insertion order), each once, on the listener's own
 * thread. An order whose transaction rolls back is never delivered; a duplicate or a conflict is
 * not an insert and is not announced. It waits for notifications with pgjdbc's {@link
 * PGConnection#getNotifications(int)}, blocking on the socket, and checks every {@value
 * #CHECK_EVERY_MS} ms, whatever the traffic, that the connection answers (a query with a network
 * timeout of {@value #NETWORK_TIMEOUT_MS} ms), so a connection that died silently is noticed within
 * seconds.
 *
 * <p><b>Outages.</b> When the connection fails (the database restarts, the network breaks) it
 * reports {@link Listener#lost}, then opens a new connection with capped exponential backoff
 * ({@value #FIRST_BACKOFF_MS} ms doubling up to {@value #MAX_BACKOFF_MS} ms), {@code LISTEN}s
 * again, and <em>catches up</em> before it reports {@link Listener#listening listening(true)} and
 * goes on: it delivers, from {@code orders}, the orders stored since the last moment it knew it had
 * heard of everything (its last successful check), less a margin of {@value
 * #CATCH_UP_MARGIN_SECONDS} s for transactions that began before that moment and committed after
 * it, that it has not delivered yet, by insertion order, {@value #CATCH_UP_PAGE} a page. "Stored
 * since" is measured on the database's clock, like {@code stored_at} ({@code now()} of the storing
 * transaction): each check reads the database's time and the highest order id, and ids are handed
 * out in time order (an identity column with the default cache of 1, V1), so the orders stored
 * since a check are those with a higher id, read from the index of ids rather than by a scan for
 * {@code stored_at}, which has no index. Orders that commit while it catches up are notified to the
 * new connection meanwhile and delivered after, those the catch-up delivered dropped.
 *
 * <p><b>Limits.</b>
 *
 * <ul>
 *   <li>An order whose id was handed out more than {@value #CATCH_UP_MARGIN_SECONDS} s before the
 *       listener's last successful check (at most {@value #CHECK_EVERY_MS} ms and a network timeout
 *       before the failure was noticed) and whose transaction committed while it was not listening
 *       is missed. {@code saveAll} transactions last well under a second; a batch stuck behind a
 *       long lock could exceed it.
 *   <li>Duplicates are recognised by the uids of the last {@value #REMEMBERED} orders delivered. If
 *       more orders than that were delivered within the margin before an outage, the catch-up may
 *       deliver some of them a second time: at most once more, never lost.
 *   <li>Catch-up order is insertion order ({@code orders.id}), which can differ from commit order
 *       for concurrent writers; live delivery is in commit order.
 *   <li>Orders committed before the listener first listened are not delivered: it is a live feed.
 *       Rows stored by an instance of a version that does not notify are not delivered live either;
 *       a catch-up does find them.
 *   <li>A catch-up delivers every order it finds, however long the outage was, before live delivery
 *       resumes.
 *   <li>A listener that stops reading (a callback that blocks) makes PostgreSQL keep every
 *       notification for it; when its queue (8 GB by default) is full, storing transactions fail at
 *       commit. Keep {@link Listener#stored} short, or hand its work to another thread. A
 *       connection that died silently does the same on the server's side until the server notices
 *       its peer is gone (its TCP keepalive settings), although the listener has moved on.
 * </ul>
 *
 * <p><b>Threads.</b> One daemon thread, {@value #THREAD_NAME}, runs every callback; a callback that
 * throws is logged and does not stop the listener. The other methods are thread safe and do not
 * block, except {@link #close()}, which waits for the thread to end (normally well under a second;
 * longer only if the thread is busy opening a connection or in a check). The connections come from
 * the given {@link ConnectionSource}, one at a time, each closed by the listener; the connection's
 * current schema (search path) is the one whose {@code orders} a catch-up reads. Notifications are
 * per database, not per schema.
 */
public final class StoredOrdersListener implements AutoCloseable {

  /** The channel the store announces stored orders on. */
  public static final String CHANNEL = "orders_stored";

  static final String THREAD_NAME = "orders-stored-listener";

  /** The longest wait for notifications: how soon a close is noticed. */
  static final int WAIT_MS = 500;

  static final long CHECK_EVERY_MS = 3_000;
  static final int NETWORK_TIMEOUT_MS = 5_000;
  static final long FIRST_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 5_000;
  static final long CATCH_UP_MARGIN_SECONDS = 15;
  static final int CATCH_UP_PAGE = 1_000;
  static final int REMEMBERED = 50_000;

  private static final Logger LOG = LoggerFactory.getLogger(StoredOrdersListener.class);
  private static final Settings SETTINGS = new Settings().withExecuteLogging(false);

  private final ConnectionSource connections;
  private final Listener listener;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closing = new CountDownLatch(1);

  private volatile boolean listening;
  private volatile long reconnects;

  // Owned by the listener's thread.
  private final ListenerCatchUp catchUp = new ListenerCatchUp();

  private StoredOrdersListener(ConnectionSource connections, Listener listener) {
    this.connections = connections;
    this.listener = listener;
    this.thread = new Thread(this::run, THREAD_NAME);
    thread.setDaemon(true);
  }

  /**
   * Starts listening on a thread of its own and returns at once; {@link Listener#listening} tells
   * when {@code LISTEN} is in place. A database that cannot be reached yet is retried as after an
   * outage.
   *
   * @param connections opens the listener's own connection: a dedicated one, not from a pool, e.g.
   *     {@code () -> DriverManager.getConnection(jdbcUrl)}
   * @param listener what to tell
   * @throws NullPointerException if an argument is null
   */
  public static StoredOrdersListener start(ConnectionSource connections, Listener listener) {
    StoredOrdersListener started =
        new StoredOrdersListener(
            Objects.requireNonNull(connections, "connections"),
            Objects.requireNonNull(listener, "listener"));
    started.thread.start();
    return started;
  }

  /**
   * Opens a new connection to the database of the orders; the listener closes it. Not one from a
   * pool: it would go back to the pool still listening, and hold a pooled connection for good.
   */
  @FunctionalInterface
  public interface ConnectionSource {
    /** A dedicated, non-pooled connection, e.g. {@code DriverManager.getConnection(jdbcUrl)}. */
    Connection open() throws SQLException;
  }

  /** What the listener tells, always on its own thread. */
  public interface Listener {

    /**
     * Orders that were committed, in commit order (see the class's limits for a catch-up); never
     * empty. Runs on the listener's thread: it must not block long.
     */
    void stored(List<OrderSummary> orders);

    /**
     * Orders whose personal data was erased ({@link OrderErasure}) or that were deleted, in commit
     * order; never empty. Each comes with its summary as it is now (the customer's pseudonym in
     * place of its id), or without one when it was deleted. A cache drops them; a feed no longer
     * shows what it showed of them. After an outage the orders erased meanwhile are delivered again
     * (those deleted meanwhile cannot be: see the class's limits). Runs on the listener's thread:
     * it must not block long.
     */
    default void erased(List<Erased> orders) {}

    /**
     * {@code LISTEN} is in place: from now on every commit is delivered. {@code afterOutage} is
     * true after a reconnection, once the orders committed meanwhile have been delivered.
     */
    default void listening(boolean afterOutage) {}

    /**
     * The connection failed, or an attempt to open one did; the listener tries again after a
     * backoff.
     */
    default void lost(Exception cause) {}
  }

  /**
   * An erased or deleted order.
   *
   * @param orderUid its uid
   * @param summary its summary after the erasure; empty if it was deleted
   */
  public record Erased(String orderUid, Optional<OrderSummary> summary) {

    public Erased {
      Objects.requireNonNull(orderUid, "orderUid");
      Objects.requireNonNull(summary, "summary");
    }
  }

  /** Whether {@code LISTEN} is in place on a connection that answered its last check. */
  public boolean isListening() {
    return listening;
  }

  /** How many times it listened again after an outage. */
  public long reconnects() {
    return reconnects;
  }

  /**
   * Stops the thread, which closes its connection, and waits for it to end. Idempotent. Called from
   * a callback, it returns at once and the thread ends after the callback.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing.countDown();
    if (Thread.currentThread() == thread) {
      return;
    }
    try {
      thread.join(NETWORK_TIMEOUT_MS + 2L * WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("listener on {}: still busy after close, ends when its call returns", CHANNEL);
    }
  }

  private void run() {
    try {
      listenUntilClosed();
    } finally {
      listening = false;
      LOG.info("listener on {}: closed", CHANNEL);
    }
  }

  private void listenUntilClosed() {
    long backoff = FIRST_BACKOFF_MS;
    int failures = 0;
    long lostAt = 0;
    boolean listenedBefore = false;
    while (!closed.get()) {
      try (Connection c = connections.open()) {
        DSLContext db = prepare(c);
        ListenerCatchUp.Check listenedAt = ListenerCatchUp.check(db);
        long caughtUp =
            listenedBefore ? catchUp.deliverMissed(db, listenedAt, this::tellStored) : 0;
        if (listenedBefore) {
          catchUp.deliverErased(db, this::tellErasedSummaries);
        }
        catchUp.remember(listenedAt);
        listening = true;
        if (listenedBefore) {
          reconnects++;
          LOG.info(
              "listener on {}: listening again, reconnected at attempt {}, {} ms after the"
                  + " connection failed; caught up {} orders stored meanwhile",
              CHANNEL,
              failures,
              (System.nanoTime() - lostAt) / 1_000_000,
              caughtUp);
        } else if (failures > 0) {
          LOG.info("listener on {}: listening, connected at attempt {}", CHANNEL, failures + 1);
        } else {
          LOG.info("listener on {}: listening", CHANNEL);
        }
        boolean afterOutage = listenedBefore;
        tell(() -> listener.listening(afterOutage));
        listenedBefore = true;
        failures = 0;
        backoff = FIRST_BACKOFF_MS;
        listen(c, db);
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (closed.get()) {
          break;
        }
        if (failures++ == 0) {
          lostAt = System.nanoTime();
          LOG.warn(
              "listener on {}: {}; trying again",
              CHANNEL,
              StoreFailures.translate(listenedBefore ? "listen" : "start listening", e)
                  .getMessage());
        } else {
          LOG.debug(
              "listener on {}: {} failures in a row, now: {}", CHANNEL, failures, e.toString());
        }
        tell(() -> listener.lost(e));
        pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Autocommit (a notification arrives between transactions), a network timeout, LISTEN. */
  private static DSLContext prepare(Connection c) throws SQLException {
    c.setAutoCommit(true);
    c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MS);
    try (Statement listen = c.createStatement()) {
      listen.execute("listen " + CHANNEL);
      listen.execute("listen " + ErasureBatch.CHANNEL);
    }
    return DSL.using(c, SQLDialect.POSTGRES, SETTINGS);
  }

  /** Delivers notifications until the connection fails (an exception) or the listener closes. */
  private void listen(Connection c, DSLContext db) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MS);
    while (!closed.get()) {
      deliver(db, pg.getNotifications(WAIT_MS));
      if (System.nanoTime() - nextCheck >= 0) {
        catchUp.remember(ListenerCatchUp.check(db));
        // The check's answer may have brought notifications along: deliver them now, not after
        // the next wait.
        deliver(db, pg.getNotifications());
        nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MS);
      }
    }
  }

  /**
   * Delivers what the notifications announce, in order: runs of stored orders (those not delivered
   * yet) and of erased ones, each run as one callback.
   */
  private void deliver(DSLContext db, PGNotification[] notifications) throws SQLException {
    if (notifications == null || notifications.length == 0) {
      return;
    }
    List<Announced> run = new ArrayList<>();
    String runChannel = null;
    for (PGNotification n : notifications) {
      if (!CHANNEL.equals(n.getName()) && !ErasureBatch.CHANNEL.equals(n.getName())) {
        continue;
      }
      if (runChannel != null && !runChannel.equals(n.getName())) {
        deliverRun(db, runChannel, run);
        run = new ArrayList<>();
      }
      runChannel = n.getName();
      try {
        run.addAll(StoredOrdersPayload.read(n.getParameter()));
      } catch (IllegalArgumentException e) {
        // Anyone may NOTIFY on the channel; say what is wrong, not what it says.
        LOG.warn(
            "listener on {}: ignored a notification of {} characters from process {}: {}",
            n.getName(),
            n.getParameter().length(),
            n.getPID(),
            e.getMessage());
      }
    }
    if (runChannel != null) {
      deliverRun(db, runChannel, run);
    }
  }

  private void deliverRun(DSLContext db, String channel, List<Announced> announced)
      throws SQLException {
    // The summaries that were too long to be sent are read from the database.
    List<String> notSent =
        announced.stream().filter(a -> a.summary().isEmpty()).map(Announced::orderUid).toList();
    Map<String, OrderSummary> read = OrderSummaries.byUid(db, notSent);
    List<Erased> erased = new ArrayList<>(0);
    List<OrderSummary> fresh = new ArrayList<>(announced.size());
    for (Announced a : announced) {
      Optional<OrderSummary> summary =
          a.summary().or(() -> Optional.ofNullable(read.get(a.orderUid())));
      if (ErasureBatch.CHANNEL.equals(channel)) {
        erased.add(new Erased(a.orderUid(), summary));
      } else if (summary.isPresent() && catchUp.firstDelivery(a.orderUid())) {
        fresh.add(summary.get());
      }
    }
    tellStored(fresh);
    if (!erased.isEmpty()) {
      tell(() -> listener.erased(erased));
    }
  }

  private void tellErasedSummaries(List<OrderSummary> orders) {
    List<Erased> erased =
        orders.stream().map(o -> new Erased(o.orderUid(), Optional.of(o))).toList();
    tell(() -> listener.erased(erased));
  }

  private void tellStored(List<OrderSummary> orders) {
    if (!orders.isEmpty()) {
      tell(() -> listener.stored(orders));
    }
  }

  private void tell(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.error("listener on {}: a callback failed; listening goes on", CHANNEL, e);
    }
  }

  private void pause(long millis) {
    try {
      closing.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed.set(true);
    }
  }
}
