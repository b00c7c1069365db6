package dev.orderservice.devstack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A client listener with security, which an {@link EmbeddedKafka} opens next to its PLAINTEXT one
 * ({@link EmbeddedKafka.Builder#listener}): SASL over TLS ({@link #saslSsl}, SCRAM-SHA-512, and
 * PLAIN for the users given with {@link #withPlainUser}) or mutual TLS ({@link #mutualTls}, a
 * client certificate signed by the trust store's CA required). The broker's own traffic (between
 * broker and controller) and the admin calls of {@link EmbeddedKafka} stay on the PLAINTEXT
 * listener, so a secured listener changes nothing for them.
 *
 * <p>Every setting is the broker's listener-prefixed one ({@code
 * listener.name.<name>.ssl.keystore.location}, {@code
 * listener.name.<name>.scram-sha-512.sasl.jaas.config}, ...), so two secured listeners do not share
 * keys or mechanisms, and nothing is set JVM-wide (no {@code java.security.auth.login.config}). Key
 * and trust stores are PKCS#12 files with one password, as {@code TestCertificates} of
 * order-test-support writes them.
 *
 * <p>Immutable and thread safe. {@link #toString()} shows no password.
 */
public final class SecureListener {

  /** The one SCRAM mechanism a SASL_SSL listener enables. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  private final String name;
  private final String protocol;
  private final Map<String, String> settings;
  private final Map<String, String> plainUsers;

  private SecureListener(
      String name, String protocol, Map<String, String> settings, Map<String, String> plainUsers) {
    if (!name.matches("[A-Z][A-Z0-9_]*")
        || name.equals(KafkaBrokerSettings.BROKER_LISTENER)
        || name.equals(KafkaBrokerSettings.CONTROLLER_LISTENER)) {
      throw new IllegalArgumentException(
          "listener name must be upper case letters, digits and _, and not PLAINTEXT or"
              + " CONTROLLER: "
              + name);
    }
    this.name = name;
    this.protocol = protocol;
    this.settings = Map.copyOf(settings);
    this.plainUsers = Map.copyOf(plainUsers);
  }

  /**
   * SASL_SSL with SCRAM-SHA-512: the broker presents the key store's certificate; users are created
   * through the Admin API ({@link EmbeddedKafka#upsertScramUser}).
   *
   * @param keyStore the broker's key and certificate chain, PKCS#12
   * @param trustStore the CA the broker trusts, PKCS#12
   * @param storePassword the password of both stores and of the key
   */
  public static SecureListener saslSsl(
      String name, Path keyStore, Path trustStore, String storePassword) {
    Map<String, String> settings = tls(keyStore, trustStore, storePassword);
    settings.put(
        SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    return new SecureListener(name, "SASL_SSL", settings, Map.of());
  }

  /**
   * SSL with {@code ssl.client.auth=required}: a client is let in only with a certificate the trust
   * store's CA signed; its principal is the certificate's subject ({@code User:CN=...}).
   *
   * @param keyStore the broker's key and certificate chain, PKCS#12
   * @param trustStore the CA whose client certificates are accepted, PKCS#12
   * @param storePassword the password of both stores and of the key
   */
  public static SecureListener mutualTls(
      String name, Path keyStore, Path trustStore, String storePassword) {
    Map<String, String> settings = tls(keyStore, trustStore, storePassword);
    settings.put("ssl.client.auth", "required");
    return new SecureListener(name, "SSL", settings, Map.of());
  }

  /**
   * This SASL_SSL listener, also taking SASL/PLAIN for {@code user} with {@code password} (PLAIN
   * users live in the broker's JAAS configuration, fixed when it starts), as managed services hand
   * out API keys.
   *
   * @throws IllegalStateException if this is not a SASL_SSL listener
   */
  public SecureListener withPlainUser(String user, String password) {
    if (!protocol.equals("SASL_SSL")) {
      throw new IllegalStateException("PLAIN users need a SASL_SSL listener; " + name + " is SSL");
    }
    if (!user.matches("[A-Za-z0-9_.-]+") || password.contains("\"")) {
      throw new IllegalArgumentException(
          "a PLAIN user name is letters, digits, _ . -, and a password holds no \"");
    }
    Map<String, String> users = new LinkedHashMap<>(plainUsers);
    users.put(user, password);
    return new SecureListener(name, protocol, settings, users);
  }

  /** The listener's name, e.g. {@code SASL_SSL} or {@code MTLS}. */
  public String name() {
    return name;
  }

  /** {@code SASL_SSL} or {@code SSL}. */
  public String protocol() {
    return protocol;
  }

  /** The broker settings of this listener, each prefixed {@code listener.name.<name>.}. */
  Map<String, String> brokerProperties() {
    Map<String, String> own = new LinkedHashMap<>(settings);
    if (protocol.equals("SASL_SSL")) {
      own.put(
          "sasl.enabled.mechanisms",
          plainUsers.isEmpty() ? SCRAM_MECHANISM : SCRAM_MECHANISM + ",PLAIN");
      if (!plainUsers.isEmpty()) {
        StringBuilder jaas =
            new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        plainUsers.forEach(
            (user, password) -> jaas.append(" user_" + user + "=\"" + password + "\""));
        own.put("plain.sasl.jaas.config", jaas.append(';').toString());
      }
    }
    String prefix = "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
    Map<String, String> prefixed = new LinkedHashMap<>();
    own.forEach((key, value) -> prefixed.put(prefix + key, value));
    return prefixed;
  }

  @Override
  public String toString() {
    return name
        + "("
        + protocol
        + (plainUsers.isEmpty() ? "" : ", PLAIN users " + plainUsers.keySet())
        + ")";
  }

  private static Map<String, String> tls(Path keyStore, Path trustStore, String storePassword) {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(storePassword, "storePassword");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("ssl.keystore.type", "PKCS12");
    settings.put("ssl.keystore.location", keyStore.toAbsolutePath().toString());
    settings.put("ssl.keystore.password", storePassword);
    settings.put("ssl.key.password", storePassword);
    settings.put("ssl.truststore.type", "PKCS12");
    settings.put("ssl.truststore.location", trustStore.toAbsolutePath().toString());
    settings.put("ssl.truststore.password", storePassword);
    return settings;
  }
}
