package dev.orderservice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresServerSettingsTest {

  @Test
  void relaxesDurabilityOfATemporaryClusterUnlessTheCallerSaysOtherwise() {
    String options =
        new PostgresServerSettings("app", true, Map.of("fsync", "on")).postmasterOptions(5432);

    assertThat(options)
        .startsWith("-p 5432 -c 'listen_addresses=127.0.0.1' -c 'unix_socket_directories='")
        .contains("-c 'fsync=on'", "-c 'synchronous_commit=off'", "-c 'full_page_writes=off'")
        .doesNotContain("fsync=off");
  }

  @Test
  void keepsTheDurableDefaultsOfAKeptCluster() {
    String options = new PostgresServerSettings("app", false, Map.of()).postmasterOptions(5432);

    assertThat(options).doesNotContain("fsync", "synchronous_commit", "full_page_writes");
  }

  @Test
  void quotesEverySettingForTheShellThatPgCtlPassesItThrough() {
    String options =
        new PostgresServerSettings("app", false, Map.of("application_name", "it's"))
            .postmasterOptions(5432);

    assertThat(options).endsWith(" -c 'application_name=it'\\''s'");
  }

  @Test
  void initialisesWithTheSuperuserAndSkipsTheFinalSyncOnlyForATemporaryCluster() {
    assertThat(new PostgresServerSettings("app", true, Map.of()).initdbOptions())
        .containsExactly("-A", "trust", "-U", "app", "-E", "UTF8", "--no-locale", "--no-sync");
    assertThat(new PostgresServerSettings("app", false, Map.of()).initdbOptions())
        .containsExactly("-A", "trust", "-U", "app", "-E", "UTF8", "--no-locale");
  }

  @Test
  void connectsAsTheSuperuser() {
    assertThat(new PostgresServerSettings("app", false, Map.of()).connectionProperties())
        .containsEntry("user", "app");
  }

  @Test
  void refusesANameThatCannotBeASetting() {
    assertThatThrownBy(() -> PostgresServerSettings.requireSettingName("a=b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a PostgreSQL setting name: a=b");
  }

  @Test
  void keepsInitdbsTrustFileUnlessRolesLogInWithPasswords() {
    assertThat(new PostgresServerSettings("app", true, Map.of()).hbaLines()).isEmpty();
  }

  @Test
  void trustsTheSuperuserAndAsksEveryOtherRoleForAScramPassword() {
    assertThat(
            new PostgresServerSettings(
                    "app", true, Map.of(), PostgresServerSettings.Logins.PASSWORD)
                .hbaLines())
        .containsExactly(
            "host all \"app\" 127.0.0.1/32 trust", "host all all 127.0.0.1/32 scram-sha-256");
    assertThat(
            new PostgresServerSettings(
                    "app", true, Map.of(), PostgresServerSettings.Logins.PASSWORD_AND_CERTIFICATE)
                .hbaLines())
        .containsExactly(
            "host all \"app\" 127.0.0.1/32 trust",
            "hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca");
  }
}
