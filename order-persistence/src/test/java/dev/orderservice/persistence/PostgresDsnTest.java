package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresDsnTest {

  @Test
  void returnsAPostgresqlJdbcUrlUnchanged() {
    String url = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    assertThat(PostgresDsn.toJdbcUrl(url)).isEqualTo(url);
  }

  @Test
  void convertsAPostgresUrlWithCredentialsAndParameters() {
    assertThat(PostgresDsn.toJdbcUrl("postgres://app:secret@db.local:6543/orders?sslmode=disable"))
        .isEqualTo(
            "jdbc:postgresql://db.local:6543/orders?user=app&password=secret&sslmode=disable");
  }

  @Test
  void acceptsThePostgresqlSchemeAndAHostWithoutPort() {
    assertThat(PostgresDsn.toJdbcUrl("postgresql://postgres@localhost/test"))
        .isEqualTo("jdbc:postgresql://localhost/test?user=postgres");
  }

  @Test
  void keepsPercentEncodedCharactersOfThePasswordEncoded() {
    assertThat(PostgresDsn.toJdbcUrl("postgres://app:p%40ss%2Fw+rd@127.0.0.1:5432/db"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/db?user=app&password=p%40ss%2Fw%2Brd");
  }

  @Test
  void defaultsTheDatabaseToTheUserNameAsLibpqDoes() {
    assertThat(PostgresDsn.toJdbcUrl("postgres://alice@127.0.0.1:5432"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/alice?user=alice");
  }

  @Test
  void renamesLibpqParametersThatPgjdbcSpellsDifferently() {
    assertThat(PostgresDsn.toJdbcUrl("postgres://u@h/db?connect_timeout=5&application_name=tests"))
        .isEqualTo("jdbc:postgresql://h/db?user=u&connectTimeout=5&ApplicationName=tests");
  }

  @Test
  void keepsSeveralHostsAndAnIpv6Address() {
    assertThat(PostgresDsn.toJdbcUrl("postgres://u@[::1]:5432,10.0.0.2:5433/db"))
        .isEqualTo("jdbc:postgresql://[::1]:5432,10.0.0.2:5433/db?user=u");
  }

  @Test
  void turnsLibpqTargetSessionAttrsIntoPgjdbcTargetServerType() {
    assertThat(
            PostgresDsn.toJdbcUrl(
                "postgres://u@h1:5432,h2:5433/db?target_session_attrs=read-write&sslmode=disable"))
        .isEqualTo(
            "jdbc:postgresql://h1:5432,h2:5433/db?user=u&targetServerType=primary&sslmode=disable");
    assertThat(PostgresDsn.toJdbcUrl("postgres://h1,h2/db?target_session_attrs=read-write"))
        .isEqualTo("jdbc:postgresql://h1,h2/db?targetServerType=primary");
    Map<String, String> expected =
        Map.of(
            "read-write", "primary",
            "primary", "primary",
            "read-only", "secondary",
            "standby", "secondary",
            "prefer-standby", "preferSecondary",
            "any", "any");
    expected.forEach(
        (libpq, pgjdbc) ->
            assertThat(PostgresDsn.toJdbcUrl("postgres://h1,h2/db?target_session_attrs=" + libpq))
                .as(libpq)
                .isEqualTo("jdbc:postgresql://h1,h2/db?targetServerType=" + pgjdbc));
  }

  @Test
  void rejectsATargetSessionAttrsPgjdbcCannotHonour() {
    assertThatThrownBy(
            () ->
                PostgresDsn.toJdbcUrl(
                    "postgres://u:hunter2@h1,h2/db?target_session_attrs=read-mostly"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target_session_attrs=read-mostly")
        .hasMessageContaining("read-write")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void rejectsAJdbcUrlOfAnotherDriver() {
    assertThatThrownBy(() -> PostgresDsn.toJdbcUrl("jdbc:mysql://localhost/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another driver")
        .hasMessageContaining("postgres://user:password@host:port/db");
  }

  @Test
  void rejectsAKeyValueConnectionStringWithoutEchoingItsPassword() {
    assertThatThrownBy(() -> PostgresDsn.toJdbcUrl("host=localhost dbname=test password=hunter2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key=value")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void rejectsAnythingElseWithoutEchoingThePassword() {
    assertThatThrownBy(() -> PostgresDsn.toJdbcUrl("mysql://root:hunter2@localhost/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a PostgreSQL URL")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> PostgresDsn.toJdbcUrl("   "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresDsn.toJdbcUrl("postgres:///db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no host");
  }

  @Test
  void passesTheLibpqTlsParametersToPgjdbcAsWritten() {
    assertThat(
            PostgresDsn.toJdbcUrl(
                "postgres://app@db.internal:5432/orders?sslmode=verify-full"
                    + "&sslrootcert=/run/secrets/ca.crt&sslcert=/run/secrets/client.crt"
                    + "&sslkey=/run/secrets/client.key"))
        .isEqualTo(
            "jdbc:postgresql://db.internal:5432/orders?user=app&sslmode=verify-full"
                + "&sslrootcert=/run/secrets/ca.crt&sslcert=/run/secrets/client.crt"
                + "&sslkey=/run/secrets/client.key");
  }

  @Test
  void verifiesTheCertificateUnderRequireWhenARootCertificateIsGivenAsLibpqDoes() {
    assertThat(
            PostgresDsn.toJdbcUrl("postgres://app@db/orders?sslrootcert=/ca.crt&sslmode=require"))
        .isEqualTo("jdbc:postgresql://db/orders?user=app&sslrootcert=/ca.crt&sslmode=verify-ca");
    assertThat(PostgresDsn.toJdbcUrl("postgres://app@db/orders?sslmode=require"))
        .isEqualTo("jdbc:postgresql://db/orders?user=app&sslmode=require");
  }

  @Test
  void addsAPasswordFromElsewhereEncoded() {
    assertThat(PostgresDsn.withPassword("jdbc:postgresql://db/orders?user=app", "p&ss w"))
        .isEqualTo("jdbc:postgresql://db/orders?user=app&password=p%26ss%20w");
    assertThat(PostgresDsn.withPassword("jdbc:postgresql://db/orders", "x"))
        .isEqualTo("jdbc:postgresql://db/orders?password=x");
  }

  @Test
  void refusesASecondPasswordWithoutRepeatingEither() {
    assertThatThrownBy(
            () ->
                PostgresDsn.withPassword(
                    "jdbc:postgresql://db/orders?user=app&password=first", "second"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContainingAny("first", "second")
        .hasMessageContaining("carries a password already");
  }
}
