package dev.orderservice.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs the indexes of {@code orders} that a failed concurrent build left invalid.
 *
 * <p>{@code CREATE INDEX CONCURRENTLY} (migration V4) commits the index before it builds it; when
 * the build fails (a lock or statement timeout, a cancel, the server or the process dying), the
 * index stays, marked invalid: the planner never uses it, yet every write still maintains it. The
 * migration then runs again at the next start, and its {@code IF NOT EXISTS} skips the invalid
 * index. So after Flyway, each invalid index of {@code orders} is rebuilt with {@code REINDEX INDEX
 * CONCURRENTLY}, which builds a new copy beside it without blocking writes and swaps it in only
 * when it is valid, so a failure here loses nothing either. Such a failure leaves its own new copy
 * behind, invalid, named {@code <index>_ccnew}; like the {@code _ccold} copy a failed swap leaves,
 * it is dropped ({@code DROP INDEX CONCURRENTLY}), as PostgreSQL's documentation advises.
 *
 * <p>One instance repairs at a time: the work runs under a session-level advisory lock, taken
 * without waiting (an instance that finds it taken leaves the repair to the holder). Waiting for it
 * would deadlock: a concurrent build waits for every transaction older than it, including a
 * statement waiting for the lock. Blocks for as long as the rebuilds take.
 */
final class InvalidIndexes {

  private static final Logger LOG = LoggerFactory.getLogger(InvalidIndexes.class);

  /** The advisory lock of the repair: "orders-ix" in ASCII, any number no one else uses. */
  private static final long LOCK = 0x6f72646572732d69L;

  private static final String INVALID =
      "select quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relname"
          + " from pg_index i"
          + " join pg_class c on c.oid = i.indexrelid"
          + " join pg_namespace n on n.oid = c.relnamespace"
          + " where i.indrelid = 'orders'::regclass and not i.indisvalid"
          + " order by c.relname";

  /** The leftovers of a failed REINDEX CONCURRENTLY: its new copy, or the old one it replaced. */
  private static final Pattern LEFTOVER = Pattern.compile(".*_cc(new|old)[0-9]*");

  private InvalidIndexes() {}

  /**
   * Rebuilds every invalid index of {@code orders} and drops the leftovers of failed rebuilds.
   *
   * @return how many indexes were rebuilt or dropped; 0 if none was invalid, or another instance
   *     holds the repair's lock
   * @throws SQLException if the database could not be asked; a rebuild that fails is logged and
   *     left for the next start, since searches work without the index, only slower
   */
  static int repair(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      if (invalid(c).isEmpty()) {
        return 0;
      }
      if (!lock(c, "pg_try_advisory_lock")) {
        LOG.info("invalid indexes of orders: another instance is rebuilding them");
        return 0;
      }
      try {
        return repairAll(c);
      } finally {
        lock(c, "pg_advisory_unlock");
      }
    }
  }

  private static int repairAll(Connection c) throws SQLException {
    int repaired = 0;
    // Asked again under the lock: the instance that held it may have repaired them meanwhile.
    // Leftovers go first, so that a rebuild's own copy does not need another name.
    List<Index> invalid = invalid(c);
    invalid.sort(Comparator.comparing(index -> !index.isLeftover()));
    for (Index index : invalid) {
      boolean leftover = index.isLeftover();
      String sql =
          (leftover ? "drop index concurrently if exists " : "reindex index concurrently ")
              + index.qualifiedName();
      long started = System.nanoTime();
      LOG.warn(
          "index {} of orders is invalid (a concurrent build failed): {}",
          index.name(),
          leftover ? "dropping it" : "rebuilding it concurrently");
      try (Statement s = c.createStatement()) {
        s.execute(sql);
        repaired++;
        LOG.info(
            "index {} of orders {} in {} ms",
            index.name(),
            leftover ? "dropped" : "rebuilt, valid",
            (System.nanoTime() - started) / 1_000_000);
      } catch (SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
          throw e; // the connection is gone: so is the database, for now
        }
        LOG.warn(
            "index {} of orders: {} failed, next start tries again: {}",
            index.name(),
            leftover ? "dropping" : "rebuilding",
            StoreFailures.translate("repair an index", e).getMessage());
      }
    }
    return repaired;
  }

  private static List<Index> invalid(Connection c) throws SQLException {
    List<Index> invalid = new ArrayList<>(0);
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(INVALID)) {
      while (r.next()) {
        invalid.add(new Index(r.getString(1), r.getString(2)));
      }
    }
    return invalid;
  }

  private static boolean lock(Connection c, String function) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("select " + function + "(?)")) {
      s.setLong(1, LOCK);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }

  private record Index(String qualifiedName, String name) {
    boolean isLeftover() {
      return LEFTOVER.matcher(name).matches();
    }
  }
}
