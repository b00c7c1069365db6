package dev.orderservice.settings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which Kafka client properties are secret, and how one is shown. */
class KafkaSecretsTest {

  @Test
  void whatKafkaDeclaresAPasswordIsSecret() {
    assertThat(KafkaSecrets.isSecret("sasl.jaas.config")).isTrue();
    assertThat(KafkaSecrets.isSecret("ssl.key.password")).isTrue();
    assertThat(KafkaSecrets.isSecret("ssl.truststore.password")).isTrue();
    assertThat(KafkaSecrets.isSecret("ssl.keystore.key")).isTrue();
    assertThat(KafkaSecrets.isSecret("ssl.keystore.certificate.chain")).isTrue();
    assertThat(KafkaSecrets.isSecret("sasl.oauthbearer.client.credentials.client.secret")).isTrue();
  }

  @Test
  void aNameThatSaysSecretIsSecretWhateverKafkaDeclares() {
    assertThat(KafkaSecrets.isSecret("basic.auth.user.info")).isTrue();
    assertThat(KafkaSecrets.isSecret("config.providers.vault.param.token")).isTrue();
    assertThat(KafkaSecrets.isSecret("config.providers.aws.param.secret.key")).isTrue();
    assertThat(KafkaSecrets.isSecret("some.plugin.Password")).isTrue();
    assertThat(KafkaSecrets.isSecret("custom.private.key")).isTrue();
  }

  @Test
  void settingsThatHoldNoSecretAreShown() {
    assertThat(KafkaSecrets.shown("security.protocol", "SASL_SSL")).isEqualTo("SASL_SSL");
    assertThat(KafkaSecrets.shown("sasl.mechanism", "SCRAM-SHA-512")).isEqualTo("SCRAM-SHA-512");
    assertThat(KafkaSecrets.shown("ssl.truststore.location", "/etc/ca.p12"))
        .isEqualTo("/etc/ca.p12");
    assertThat(KafkaSecrets.isSecret("key.serializer")).isFalse();
  }

  @Test
  void aSecretIsHiddenUnlessItIsOnlyAConfigProviderReference() {
    assertThat(KafkaSecrets.shown("sasl.jaas.config", "...password=\"pw\";")).isEqualTo("[hidden]");
    assertThat(KafkaSecrets.shown("ssl.key.password", "${file:/run/secrets/k.properties:key}"))
        .isEqualTo("${file:/run/secrets/k.properties:key}");
    assertThat(KafkaSecrets.shown("sasl.jaas.config", "${env:A}${env:B}"))
        .isEqualTo("${env:A}${env:B}");
    assertThat(
            KafkaSecrets.shown(
                "sasl.jaas.config",
                "PlainLoginModule required username=\"u\" password=\"${file:/p:pw}\";"))
        .as("a reference inside a literal: the literal may hold a secret")
        .isEqualTo("[hidden]");
  }

  @Test
  void aShownValueStaysOnOneLine() {
    assertThat(KafkaSecrets.shown("client.id", "a\nb")).isEqualTo("a?b");
  }
}
