package dev.orderservice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void startServer() {
    postgres = EmbeddedPostgres.builder().build();
    postgres.start();
  }

  @AfterAll
  static void closeServer() {
    postgres.close();
  }

  @Test
  void startsAPostgresql17ServerOnLoopback() throws SQLException {
    try (Connection connection = connect(postgres, "postgres");
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "select version(), current_setting('server_version_num')::int")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).startsWith("PostgreSQL 17");
      assertThat(rs.getInt(2)).isBetween(170000, 179999);
    }
    assertThat(postgres.jdbcUrl("postgres"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres");
    assertThat(postgres.user()).isEqualTo("postgres");
  }

  @Test
  void keepsTheRowsOfATableAcrossStopAndStartOnTheSamePort() throws SQLException {
    String url = postgres.createDatabaseIfNotExists("restart_test");
    int portBefore = postgres.port();
    execute(url, "create table kept (id int primary key)", "insert into kept values (1), (2), (3)");

    postgres.stop();
    assertThat(postgres.isRunning()).isFalse();
    assertThatThrownBy(() -> connect(postgres, "restart_test")).isInstanceOf(SQLException.class);
    postgres.start();

    assertThat(postgres.port()).isEqualTo(portBefore);
    assertThat(count(url, "select count(*) from kept")).isEqualTo(3);
  }

  @Test
  void createsADatabaseOnlyOnceEvenWhenAskedTwice() throws SQLException {
    String first = postgres.createDatabaseIfNotExists("twice");
    String second = postgres.createDatabaseIfNotExists("twice");

    assertThat(second).isEqualTo(first).endsWith("/twice");
    assertThat(
            count(
                postgres.jdbcUrl("postgres"),
                "select count(*) from pg_database where datname = 'twice'"))
        .isEqualTo(1);
  }

  @Test
  void reusesAGivenDataDirectoryAfterCloseSoItsDataSurvives(@TempDir Path temp)
      throws SQLException {
    Path dataDirectory = temp.resolve("pgdata");
    try (EmbeddedPostgres first = EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      first.start();
      execute(
          first.jdbcUrl(),
          "create table survivor (name text)",
          "insert into survivor values ('still here')");
    }
    assertThat(dataDirectory.resolve("PG_VERSION")).exists();

    try (EmbeddedPostgres second =
        EmbeddedPostgres.builder().dataDirectory(dataDirectory).build()) {
      second.start();
      assertThat(count(second.jdbcUrl(), "select count(*) from survivor where name = 'still here'"))
          .isEqualTo(1);
    }
    assertThat(dataDirectory.resolve("PG_VERSION")).exists();
  }

  @Test
  void reportsTheServerLogWhenItsPortIsTaken() throws IOException {
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      try (EmbeddedPostgres blocked =
          EmbeddedPostgres.builder().port(squatter.getLocalPort()).build()) {
        assertThatThrownBy(blocked::start)
            .isInstanceOf(DevstackException.class)
            .hasMessageContaining("--- server log ---")
            .hasMessageContaining("could not bind");
      }
    }
  }

  @Test
  void deletesItsTemporaryDataDirectoryOnClose() {
    Path dataDirectory;
    try (EmbeddedPostgres temporary = EmbeddedPostgres.builder().build()) {
      temporary.start();
      dataDirectory = temporary.dataDirectory();
      assertThat(dataDirectory.resolve("PG_VERSION")).exists();
    }
    assertThat(Files.exists(dataDirectory)).isFalse();
  }

  static Connection connect(EmbeddedPostgres pg, String database) throws SQLException {
    return DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), "");
  }

  private static void execute(String url, String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "postgres", "");
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static long count(String url, String query) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "postgres", "");
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }
}
