package dev.orderservice.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * The connection pool a runner hands to {@link Migrations#migrate} and {@link PostgresOrderStore}:
 *
 * <pre>{@code
 * try (HikariDataSource pool = OrderDatabase.pool(url, user, password, 10, "orders")) {
 *   Migrations.migrate(pool);
 *   OrderStore store = new PostgresOrderStore(pool);
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread safe. Reads no environment or system properties: the caller passes every setting.
 */
public final class OrderDatabase {

  /** How long borrowing a connection may wait before it fails as transient. */
  static final long CONNECTION_TIMEOUT_MS = 5_000;

  private OrderDatabase() {}

  /**
   * A HikariCP pool of PostgreSQL connections. It does not connect here: the first borrower does
   * (and {@link Migrations#migrate} is usually the first), so a runner may start before the
   * database is up. Server error details, which can quote a failing row and so personal data, are
   * left out of driver exceptions' messages. Borrowing a connection fails after 5 s, so an outage
   * surfaces quickly as a transient {@code OrderStoreException}.
   *
   * @param jdbcUrl a {@code jdbc:postgresql:} URL
   * @param user the database user, or {@code null} to take it from the URL
   * @param password the password, or {@code null} to take it from the URL or use none
   * @param maxSize the most connections the pool opens, at least 1
   * @param poolName names the pool's threads, log lines and the connections' {@code
   *     application_name}
   * @return a pool the caller owns and closes
   * @throws IllegalArgumentException if a setting is invalid; the message says which and why
   * @throws NullPointerException if {@code jdbcUrl} or {@code poolName} is null
   */
  public static HikariDataSource pool(
      String jdbcUrl, String user, String password, int maxSize, String poolName) {
    return new HikariDataSource(config(jdbcUrl, user, password, maxSize, poolName));
  }

  /**
   * A pool as {@link #pool(String, int, String)} makes it, whose meters go to {@code registry}
   * through HikariCP's own Micrometer tracker ({@code hikaricp.connections.*}: active, idle,
   * pending, max, timeouts, acquire and usage times; tagged {@code pool=poolName}).
   */
  public static HikariDataSource pool(
      String jdbcUrl, int maxSize, String poolName, MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    HikariConfig config = config(jdbcUrl, null, null, maxSize, poolName);
    config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    return new HikariDataSource(config);
  }

  /**
   * A pool for {@link PostgresOrderSearch}, as {@link #pool(String, int, String, MeterRegistry)}
   * makes one, whose connections run every prepared statement by its generic plan ({@code
   * plan_cache_mode = force_generic_plan}, set as each connection opens): a search is then planned
   * once per connection and shape, not for every search. PostgreSQL's default would plan a day's
   * search anew every time, its generic plan's estimate (a range of unknown size) being above the
   * custom plans' (a day); the generic plan reads the same one index range whatever the values
   * (V6's indexes, one for each shape of search), for a customer with one order and for one with a
   * hundred thousand alike.
   */
  public static HikariDataSource searchPool(
      String jdbcUrl, int maxSize, String poolName, MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    HikariConfig config = config(jdbcUrl, null, null, maxSize, poolName);
    config.setConnectionInitSql(GENERIC_PLANS);
    config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    return new HikariDataSource(config);
  }

  /**
   * What {@link #searchPool} runs on each new connection: {@code plan_cache_mode} for the session,
   * where the server has it (PostgreSQL 12 and later); an older server plans as it always does.
   */
  static final String GENERIC_PLANS =
      "do $$ begin perform set_config('plan_cache_mode', 'force_generic_plan', false);"
          + " exception when undefined_object then null; end $$";

  /**
   * A pool as {@link #pool(String, String, String, int, String)} makes it, for a URL that carries
   * the credentials itself (or needs none).
   */
  public static HikariDataSource pool(String jdbcUrl, int maxSize, String poolName) {
    return pool(jdbcUrl, null, null, maxSize, poolName);
  }

  private static HikariConfig config(
      String jdbcUrl, String user, String password, int maxSize, String poolName) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(poolName, "poolName");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      // The URL may carry a password: do not echo it.
      throw new IllegalArgumentException("jdbcUrl must start with \"jdbc:postgresql:\"");
    }
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be >= 1, was " + maxSize);
    }
    if (poolName.isBlank()) {
      throw new IllegalArgumentException("poolName must not be blank");
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName(poolName);
    config.setDriverClassName("org.postgresql.Driver");
    config.setJdbcUrl(jdbcUrl);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(maxSize);
    config.setInitializationFailTimeout(-1);
    // Hikari waits 30 s for a connection by default. When the database is down, a caller (the
    // Kafka ingest, an HTTP request) should learn it within seconds and back off, not hang.
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    config.addDataSourceProperty("ApplicationName", poolName);
    config.addDataSourceProperty("logServerErrorDetail", "false");
    return config;
  }
}
