package dev.orderservice.settings;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Which Kafka client properties are secret, and how a property is shown where a person may read it
 * (a log line, a message).
 *
 * <p>The rule: a property is secret when Kafka's own clients declare it a password ({@code
 * sasl.jaas.config}, {@code ssl.key.password}, {@code ssl.keystore.password}, {@code
 * ssl.truststore.password}, {@code ssl.keystore.key}, {@code ssl.keystore.certificate.chain},
 * {@code ssl.truststore.certificates}, {@code sasl.oauthbearer.client.credentials.client.secret}
 * ...), or when its name holds one of {@link #SECRET_WORDS} ({@code password}, {@code secret},
 * {@code jaas}, {@code token}, {@code credential}, {@code user.info}) or ends in {@code key} (a
 * private key; {@code ssl.keystore.key}, a provider's {@code param.api.key}). A secret's value is
 * shown as {@code [hidden]}, unless it is nothing but config provider references ({@code
 * ${file:/run/secrets/kafka.properties:password}}): a reference says where the secret is, not what
 * it is. Every other value is shown as it is, on one line.
 *
 * <p>Stateless and thread safe.
 */
final class KafkaSecrets {

  /** What a secret's value is shown as. */
  static final String HIDDEN = "[hidden]";

  /** Words in a property's name that make it secret, whatever Kafka declares. */
  static final List<String> SECRET_WORDS =
      List.of("password", "secret", "jaas", "token", "credential", "user.info");

  /** One or more config provider references and nothing else, e.g. {@code ${file:/p:key}}. */
  private static final Pattern ONLY_REFERENCES = Pattern.compile("(?:\\$\\{[^{}]+})+");

  private static final Set<String> DECLARED_PASSWORDS = declaredPasswords();

  private KafkaSecrets() {}

  /** Whether the value of the property {@code name} must never be shown. */
  static boolean isSecret(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return DECLARED_PASSWORDS.contains(lower)
        || lower.endsWith("key")
        || SECRET_WORDS.stream().anyMatch(lower::contains);
  }

  /** {@code value} as a log line or a message may show it: see the class comment. */
  static String shown(String name, String value) {
    if (isSecret(name) && !isReference(value)) {
      return HIDDEN;
    }
    String oneLine = value.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }

  /** Whether {@code value} is nothing but config provider references, resolved by the client. */
  static boolean isReference(String value) {
    return ONLY_REFERENCES.matcher(value.strip()).matches();
  }

  private static Set<String> declaredPasswords() {
    Set<String> names = new HashSet<>();
    for (ConfigDef definition :
        List.of(
            ConsumerConfig.configDef(),
            ProducerConfig.configDef(),
            AdminClientConfig.configDef())) {
      definition
          .configKeys()
          .forEach(
              (name, key) -> {
                if (key.type() == ConfigDef.Type.PASSWORD) {
                  names.add(name);
                }
              });
    }
    return Set.copyOf(names);
  }
}
