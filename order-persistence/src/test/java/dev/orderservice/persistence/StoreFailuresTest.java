package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.OrderStoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreFailuresTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "08000", "08001", "08006", "53100", "53200", "53300", "57P01", "57P02", "57P03", "40001",
        "40P01", "25006"
      })
  void connectionResourceShutdownAndConcurrencyFailuresAreTransient(String sqlState) {
    OrderStoreException e =
        StoreFailures.translate("count orders", wrapped(new SQLException("boom", sqlState)));

    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage()).isEqualTo("could not count orders: SQLState " + sqlState + ", boom");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"23505", "23502", "22023", "22P05", "42P01", "42703", "57014", "28P01", "XX000"})
  void failuresThatWouldRecurArePermanent(String sqlState) {
    assertThat(
            StoreFailures.translate("count orders", wrapped(new SQLException("boom", sqlState)))
                .isTransient())
        .isFalse();
  }

  @Test
  void aPoolThatCannotHandOutAConnectionInTimeIsTransient() {
    SQLTransientConnectionException timeout =
        new SQLTransientConnectionException(
            "orders - Connection is not available, request timed out after 30000ms");

    assertThat(StoreFailures.translate("count orders", wrapped(timeout)).isTransient()).isTrue();
  }

  @Test
  void aFailureWithoutSqlStateIsPermanent() {
    assertThat(
            StoreFailures.translate("count orders", new DataAccessException("no SQL here"))
                .isTransient())
        .isFalse();
  }

  @Test
  void theMessageLeavesOutTheServersDetailWhichMayQuoteARow() {
    SQLException e =
        new SQLException(
            "ERROR: duplicate key value\n"
                + "  Detail: Key (email)=(someone@example.com) already exists.",
            "23505");

    assertThat(StoreFailures.translate("save", wrapped(e)).getMessage())
        .isEqualTo("could not save: SQLState 23505, ERROR: duplicate key value");
  }

  private static DataAccessException wrapped(SQLException e) {
    return new DataAccessException("SQL [...]; " + e.getMessage(), e);
  }

  @org.junit.jupiter.api.Test
  void aPooledConnectionClosedUnderTheCallIsTransientThoughItHasNoSqlState() {
    OrderStoreException e =
        StoreFailures.translate(
            "save a batch of 1 orders", wrapped(new SQLException("Connection is closed")));

    assertThat(e.isTransient()).isTrue();
  }
}
