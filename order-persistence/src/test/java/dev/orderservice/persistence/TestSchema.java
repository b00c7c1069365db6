package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.ORDERS;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderDates;
import dev.orderservice.persistence.OrderColumns.ItemRow;
import dev.orderservice.persistence.OrderColumns.NewOrder;
import dev.orderservice.persistence.OrderColumns.TableRows;
import dev.orderservice.testsupport.IsolatedSchema;
import dev.orderservice.testsupport.SharedDatabase;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.conf.ParamType;

/**
 * This module's view of an {@link IsolatedSchema} (a schema of its own on the test PostgreSQL, the
 * shared embedded one or the server named by TEST_DB_DSN, with a small pool whose connections use
 * it as their current schema): made as a release of some version left it, and inspected the ways
 * the store's and the migrations' tests need. Closing drops the schema and closes the pool.
 */
final class TestSchema implements AutoCloseable {

  private static final SharedDatabase DATABASE =
      new SharedDatabase("order_persistence_tests", PostgresDsn::toJdbcUrl);

  private final IsolatedSchema schema;
  private final HikariDataSource pool;

  private TestSchema(IsolatedSchema schema) {
    this.schema = schema;
    this.pool = schema.dataSource();
  }

  /** A schema that does not exist yet; Flyway creates it on the first migration. */
  static TestSchema fresh(String prefix) {
    return new TestSchema(DATABASE.newSchema(prefix, OrderDatabase::pool));
  }

  /**
   * A fresh schema that Flyway alone migrated up to {@code version}, as a release of that time left
   * it (without the backfills and repairs of {@link Migrations#migrate}).
   */
  static TestSchema atVersion(String prefix, int version) {
    TestSchema schema = fresh(prefix);
    FluentConfiguration config =
        Flyway.configure()
            .dataSource(schema.dataSource())
            .locations("classpath:db/migration")
            .target(Integer.toString(version));
    // As Migrations does: the transactional lock's open transaction would block V4's and V6's
    // concurrent index builds forever.
    config
        .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    config.load().migrate();
    return schema;
  }

  /** A fresh schema, migrated. */
  static TestSchema migrated(String prefix) {
    TestSchema schema = fresh(prefix);
    schema.schema.migrate(Migrations::migrate);
    return schema;
  }

  String name() {
    return schema.name();
  }

  /** The JDBC URL of this schema's connections (user and current schema included). */
  String jdbcUrl() {
    return schema.jdbcUrl();
  }

  HikariDataSource dataSource() {
    return pool;
  }

  void execute(String sql) {
    schema.execute(sql);
  }

  /** How many rows of {@code table} belong to any of {@code orderUids}. */
  long rowsOf(String table, Collection<String> orderUids) {
    String sql = "select count(*) from " + table + " where order_uid = any(?)";
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setArray(1, c.createArrayOf("text", orderUids.toArray()));
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * The uids of stored orders whose summary columns (V5) are missing or disagree with their payment
   * and items, the data they copy; empty when every stored order's copies are right.
   */
  List<String> summaryMismatches() {
    String sql =
        "select o.order_uid from orders o left join payment p on p.order_uid = o.order_uid"
            + " where o.amount is distinct from p.amount or o.currency is distinct from p.currency"
            + " or o.item_count is distinct from"
            + " (select count(*) from items i where i.order_uid = o.order_uid)"
            + " order by o.id";
    List<String> uids = new ArrayList<>();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        uids.add(r.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
    return uids;
  }

  /** How many rows {@code table} has. */
  long rows(String table) {
    return schema.rows(table);
  }

  /**
   * Writes {@code orders} as a release at schema {@code version} did: with the columns it knew (V2
   * added canonical_json, V3 created_at, V5 the summary's amount, currency and item_count), in one
   * transaction per table.
   */
  void writeAsOfVersion(int version, List<EncodedOrder> orders) {
    Set<Field<?>> unknown = new HashSet<>();
    if (version < 2) {
      unknown.add(ORDERS.CANONICAL_JSON);
    }
    if (version < 3) {
      unknown.add(ORDERS.CREATED_AT);
    }
    if (version < 5) {
      unknown.addAll(List.of(ORDERS.AMOUNT, ORDERS.CURRENCY, ORDERS.ITEM_COUNT));
    }
    TableRows<NewOrder> headers =
        new TableRows<>(
            ORDERS,
            OrderColumns.ORDERS_ROWS.columns().stream()
                .filter(c -> !unknown.contains(c.field()))
                .toList());
    List<NewOrder> rows = new ArrayList<>();
    List<Order> plain = new ArrayList<>();
    List<ItemRow> items = new ArrayList<>();
    for (EncodedOrder order : orders) {
      byte[] hash = sha256(order.json());
      Instant createdAt = OrderDates.instant(order.order().dateCreated());
      rows.add(new NewOrder(order, createdAt, () -> hash));
      plain.add(order.order());
      List<Item> its = order.order().items();
      for (int p = 0; p < its.size(); p++) {
        items.add(new ItemRow(order.orderUid(), p, its.get(p)));
      }
    }
    try (Connection c = pool.getConnection()) {
      OrderTables.copy(c, headers, rows);
      OrderTables.copy(c, OrderColumns.DELIVERY_ROWS, plain);
      OrderTables.copy(c, OrderColumns.PAYMENT_ROWS, plain);
      OrderTables.copy(c, OrderColumns.ITEMS_ROWS, items);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Another pool of connections to this schema, whose JDBC URL has {@code parameters} added, e.g.
   * {@code "options=-c%20lock_timeout=300"}. The caller closes it.
   */
  HikariDataSource pool(String parameters) {
    return schema.pool(parameters);
  }

  /** The plan PostgreSQL makes for {@code query}, its values inlined, one line per node. */
  String explain(Query query) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("explain " + query.getSQL(ParamType.INLINED))) {
      StringBuilder plan = new StringBuilder();
      while (r.next()) {
        plan.append(r.getString(1)).append('\n');
      }
      return plan.toString();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The indexes of {@code orders}, each with whether it is valid. */
  Map<String, Boolean> indexesOfOrders() {
    String sql =
        "select c.relname, i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid"
            + " where i.indrelid = 'orders'::regclass order by 1";
    Map<String, Boolean> indexes = new TreeMap<>();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        indexes.put(r.getString(1), r.getBoolean(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return indexes;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    schema.close();
  }
}
