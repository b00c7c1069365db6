package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

class OrderDatabaseTest {

  @Test
  void aPoolIsCreatedWithoutConnecting() {
    try (HikariDataSource pool =
        OrderDatabase.pool(
            "jdbc:postgresql://127.0.0.1:1/orders", "app", "secret", 3, "orders-db")) {
      assertThat(pool.getPoolName()).isEqualTo("orders-db");
      assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
    }
  }

  @Test
  void aPoolRefusesAnUrlOfAnotherDatabaseWithoutRepeatingIt() {
    assertThatThrownBy(
            () -> OrderDatabase.pool("jdbc:mysql://db/orders?password=secret", null, null, 1, "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jdbcUrl must start with \"jdbc:postgresql:\"");
  }

  @Test
  void aPoolRefusesASizeBelowOne() {
    assertThatThrownBy(() -> OrderDatabase.pool("jdbc:postgresql://db/orders", null, null, 0, "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSize must be >= 1, was 0");
  }

  @Test
  void aPoolRefusesABlankName() {
    assertThatThrownBy(() -> OrderDatabase.pool("jdbc:postgresql://db/orders", null, null, 1, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poolName must not be blank");
  }

  @Test
  void aPoolForAnUrlWithCredentialsTakesThemFromTheUrl() {
    try (HikariDataSource pool =
        OrderDatabase.pool("jdbc:postgresql://127.0.0.1:1/orders?user=app", 2, "orders-db")) {
      assertThat(pool.getUsername()).isNull();
      assertThat(pool.getMaximumPoolSize()).isEqualTo(2);
    }
  }
}
