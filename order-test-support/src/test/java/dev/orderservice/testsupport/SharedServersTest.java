package dev.orderservice.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.orderservice.devstack.EmbeddedKafka;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SharedServersTest {

  @Test
  void givesTestsAUsableJdbcUrlForANamedDatabaseOnTheSharedServer() throws SQLException {
    assumeTrue(
        SharedPostgres.externalDsn().isEmpty(), "TEST_DB_DSN is set: the external server is used");

    String url = SharedPostgres.jdbcUrlForTests("shared_test", UnaryOperator.identity());

    assertThat(url)
        .startsWith("jdbc:postgresql://127.0.0.1:")
        .contains("/shared_test?user=postgres");
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("select current_database()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("shared_test");
    }
    assertThat(SharedPostgres.instance()).isSameAs(SharedPostgres.instance());
  }

  @Test
  void startsOneKafkaBrokerPerJvm() {
    EmbeddedKafka first = SharedKafka.instance();

    assertThat(SharedKafka.instance()).isSameAs(first);
    assertThat(first.isRunning()).isTrue();
  }
}
