package dev.orderservice.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The README's examples of "Connecting to secured Kafka", word for word but for the user names,
 * secrets and paths a test fills in: the client properties file {@code KAFKA_CONFIG_FILE} ({@code
 * --kafka-config}) names, or the {@code KAFKA_CLIENT_<NAME>} variables. The tests that connect the
 * server and the CLI to {@link SecuredKafka} use these and nothing else, so that an example that
 * stops working fails a test. Keep the README in step with this file.
 *
 * <p>Stateless.
 */
public final class KafkaClientExamples {

  private KafkaClientExamples() {}

  /** "SASL/SCRAM over TLS": a client properties file. */
  public static String scramOverTls(String user, String password, Path caCertificate) {
    return """
        security.protocol=SASL_SSL
        sasl.mechanism=SCRAM-SHA-512
        sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
        username="%s" password="%s";
        ssl.truststore.type=PEM
        ssl.truststore.location=%s
        """
        .formatted(user, password, caCertificate);
  }

  /** "SASL/SCRAM over TLS" from the environment: the same properties as variables. */
  public static Map<String, String> scramOverTlsVariables(
      String user, String password, Path caCertificate) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL");
    env.put("KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512");
    env.put(
        "KAFKA_CLIENT_SASL_JAAS_CONFIG",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
    env.put("KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE", "PEM");
    env.put("KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", caCertificate.toString());
    return env;
  }

  /**
   * "SASL/PLAIN over TLS", as managed services hand the file out: the bootstrap servers (used when
   * KAFKA_BROKER is unset), an API key and secret, and their recommended DNS lookup. A service
   * whose certificate a public CA signed needs neither truststore line; the test's broker has a CA
   * of its own.
   */
  public static String plainOverTls(
      String bootstrapServers, String key, String secret, Path caCertificate) {
    return """
        bootstrap.servers=%s
        security.protocol=SASL_SSL
        sasl.mechanism=PLAIN
        sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
        username='%s' password='%s';
        client.dns.lookup=use_all_dns_ips
        acks=all
        ssl.truststore.type=PEM
        ssl.truststore.location=%s
        """
        .formatted(bootstrapServers, key, secret, caCertificate);
  }

  /** "Mutual TLS": the client's key and certificate in a PKCS#12 key store. */
  public static String mutualTls(Path clientKeyStore, String keyStorePassword, Path caCertificate) {
    return """
        security.protocol=SSL
        ssl.keystore.type=PKCS12
        ssl.keystore.location=%s
        ssl.keystore.password=%s
        ssl.key.password=%s
        ssl.truststore.type=PEM
        ssl.truststore.location=%s
        """
        .formatted(clientKeyStore, keyStorePassword, keyStorePassword, caCertificate);
  }

  /**
   * "A secret from a mounted file": SASL/SCRAM over TLS whose password Kafka's {@code
   * FileConfigProvider} reads from the key {@code password} of {@code secretFile} (e.g. {@code
   * /run/secrets/kafka.properties}, see {@link #mountedSecret}) when the client is made; the
   * properties file itself holds no secret.
   */
  public static String scramWithPasswordFromFile(String user, Path secretFile, Path caCertificate) {
    return """
        config.providers=file
        config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
        security.protocol=SASL_SSL
        sasl.mechanism=SCRAM-SHA-512
        sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
        username="%s" password="${file:%s:password}";
        ssl.truststore.type=PEM
        ssl.truststore.location=%s
        """
        .formatted(user, secretFile, caCertificate);
  }

  /** The mounted secret file of {@link #scramWithPasswordFromFile}: {@code password=...}. */
  public static String mountedSecret(String password) {
    return "password=" + password + "\n";
  }

  /**
   * Writes {@code content} to {@code file}, readable by its owner only, as a secret is mounted.
   *
   * @return the file
   */
  public static Path writeSecretFile(Path file, String content) {
    try {
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
