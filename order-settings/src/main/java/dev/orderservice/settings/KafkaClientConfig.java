package dev.orderservice.settings;

import dev.orderservice.ingest.ForcedSetting;
import dev.orderservice.ingest.KafkaRefusal;
import dev.orderservice.ingest.OrderIngest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Kafka client properties a user gives a runner, for every Kafka client it makes (consumers,
 * producers, admin clients): the file of {@link Settings#KAFKA_CONFIG_FILE} (a properties file as
 * Kafka's own tools read it), then single properties from the environment, each variable winning
 * over the file.
 *
 * <p><b>Variables.</b> {@code KAFKA_CLIENT_<NAME>} sets the property {@code <NAME>} in lower case,
 * each {@code _} read as {@code .} and each {@code __} as a literal {@code _}, left to right:
 * {@code KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL} sets {@code security.protocol}, {@code
 * KAFKA_CLIENT_CONFIG_PROVIDERS_VAULT_PARAM_SECRET__ID} sets {@code
 * config.providers.vault.param.secret_id}. A blank variable is unset. (No Kafka client property has
 * a {@code _} of its own; config provider parameters may.)
 *
 * <p><b>Config providers</b> ({@code config.providers=file}, {@code
 * config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider}, {@code
 * ${file:/run/secrets/kafka.properties:password}}) are passed on as they are: the Kafka clients
 * resolve them when they are made. Nothing here reads, resolves or checks a value, except that of a
 * property the service's guarantees rest on ({@link #requireSafe}).
 *
 * <p><b>bootstrap.servers</b> is kept apart ({@link #bootstrapServers()}): a runner uses it when
 * {@code KAFKA_BROKER} is unset, so that a managed service's client file works as it is handed out.
 *
 * <p>{@link #toString()} lists the properties with every secret shown as {@code [hidden]} (the rule
 * is {@link KafkaSecrets}'); no message of this class repeats a secret. Immutable and thread safe.
 */
public final class KafkaClientConfig {

  /** What every variable of a single property starts with. */
  public static final String VARIABLE_PREFIX = "KAFKA_CLIENT_";

  static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

  /** Properties that settings of ours set, and which ones, for the refusal's message. */
  private static final Map<String, Setting<?>> SET_BY_SETTINGS =
      Map.of(
          "group.id", Settings.KAFKA_GROUP,
          "group.instance.id", Settings.KAFKA_INSTANCE_ID,
          "group.protocol", Settings.KAFKA_GROUP_PROTOCOL);

  /** A property as given, and where: a variable, or the file. */
  private record Given(String value, String origin) {}

  private static final KafkaClientConfig NONE = new KafkaClientConfig(Optional.empty(), Map.of());

  private final Optional<Path> file;

  /** By name, in name order. */
  private final Map<String, Given> given;

  private KafkaClientConfig(Optional<Path> file, Map<String, Given> given) {
    this.file = file;
    this.given = Collections.unmodifiableMap(new TreeMap<>(given));
  }

  /** No properties at all. */
  public static KafkaClientConfig none() {
    return NONE;
  }

  /**
   * The properties of the file {@link Settings#KAFKA_CONFIG_FILE} names in {@code values}, if any,
   * with the {@code KAFKA_CLIENT_*} variables of {@code env} over them, checked to be {@linkplain
   * #requireSafe safe} for the ingest and every other client of the runners: the runners share one
   * rule, so that a file one of them takes the other takes too.
   *
   * @throws InvalidSettingException if the file cannot be read, or a property is refused: one line
   *     naming the setting, the file or the variable, without a secret value
   */
  public static KafkaClientConfig read(SettingValues values, Map<String, String> env) {
    return read(
            values.get(Settings.KAFKA_CONFIG_FILE),
            values.flag(Settings.KAFKA_CONFIG_FILE),
            why -> values.invalid(Settings.KAFKA_CONFIG_FILE, why),
            env)
        .requireSafe(OrderIngest.forcedSettings(OrderIngest.DEFAULT_MAX_BATCH_SIZE));
  }

  static KafkaClientConfig read(
      Optional<Path> file,
      String fileFlag,
      Function<String, InvalidSettingException> unreadable,
      Map<String, String> env) {
    Map<String, Given> given = new TreeMap<>();
    if (file.isPresent()) {
      String origin = Settings.KAFKA_CONFIG_FILE.variable() + " (" + fileFlag + ") " + file.get();
      fromFile(file.get(), unreadable)
          .forEach((name, value) -> given.put(name, new Given(value, origin)));
    }
    new TreeMap<>(env)
        .forEach(
            (variable, value) -> {
              if (variable.startsWith(VARIABLE_PREFIX)
                  && variable.length() > VARIABLE_PREFIX.length()
                  && value != null
                  && !value.isBlank()) {
                given.put(propertyName(variable), new Given(value.strip(), variable));
              }
            });
    return new KafkaClientConfig(file, given);
  }

  /**
   * The property a {@code KAFKA_CLIENT_<NAME>} variable sets: {@code <NAME>} in lower case, {@code
   * __} read as {@code _} and {@code _} as {@code .}.
   */
  static String propertyName(String variable) {
    String name = variable.substring(VARIABLE_PREFIX.length()).toLowerCase(Locale.ROOT);
    StringBuilder property = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '_') {
        property.append(c);
      } else if (i + 1 < name.length() && name.charAt(i + 1) == '_') {
        property.append('_');
        i++;
      } else {
        property.append('.');
      }
    }
    return property.toString();
  }

  /** The variable that sets {@code property}, e.g. {@code KAFKA_CLIENT_SASL_JAAS_CONFIG}. */
  public static String variableOf(String property) {
    return VARIABLE_PREFIX + property.replace("_", "__").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * What a user checks when Kafka refuses a client for {@code kind}, in parentheses, naming the
   * properties and how they are set, e.g. {@code (check sasl.mechanism and sasl.jaas.config:
   * KAFKA_CLIENT_SASL_MECHANISM, KAFKA_CLIENT_SASL_JAAS_CONFIG or KAFKA_CONFIG_FILE)}.
   */
  public static String whatToCheck(KafkaRefusal.Kind kind) {
    String file = Settings.KAFKA_CONFIG_FILE.variable();
    return switch (kind) {
      case AUTHENTICATION ->
          "(check sasl.mechanism and sasl.jaas.config, or the client certificate: "
              + String.join(
                  ", ",
                  variableOf("sasl.mechanism"),
                  variableOf("sasl.jaas.config"),
                  variableOf("ssl.keystore.location"))
              + " or "
              + file
              + ")";
      case TLS ->
          "(check security.protocol and the trust store: "
              + String.join(
                  ", ",
                  variableOf("security.protocol"),
                  variableOf("ssl.truststore.location"),
                  variableOf("ssl.endpoint.identification.algorithm"))
              + " or "
              + file
              + ")";
      case AUTHORIZATION -> "(check the ACLs of the client's user for the topics and the group)";
    };
  }

  /**
   * The properties for a Kafka client, by name, all but {@code bootstrap.servers}; values as given,
   * config provider references unresolved.
   */
  public Map<String, String> properties() {
    return given.entrySet().stream()
        .filter(e -> !e.getKey().equals(BOOTSTRAP_SERVERS))
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().value()));
  }

  /** {@code bootstrap.servers} as given, if it was. */
  public Optional<String> bootstrapServers() {
    return Optional.ofNullable(given.get(BOOTSTRAP_SERVERS)).map(Given::value);
  }

  /** Whether no property was given. */
  public boolean isEmpty() {
    return given.isEmpty();
  }

  /**
   * Refuses what would undo a guarantee: a property of {@code forced} given another value than the
   * forced one (or a config provider reference, which cannot be checked), and a property that a
   * setting of ours sets ({@code group.id}: {@code KAFKA_GROUP}; {@code group.instance.id}: {@code
   * KAFKA_INSTANCE_ID}). Returns this config if nothing is refused.
   *
   * @throws InvalidSettingException for the first refused property, in name order: one line naming
   *     the variable or the file, the property and why, never a secret value
   */
  public KafkaClientConfig requireSafe(List<ForcedSetting> forced) {
    for (Map.Entry<String, Given> entry : given.entrySet()) {
      String name = entry.getKey();
      Given value = entry.getValue();
      if (name.equals(BOOTSTRAP_SERVERS) && !value.value().contains("${")) {
        try {
          Parsers.brokers(value.value());
        } catch (IllegalArgumentException e) {
          throw refused(name, value, e.getMessage());
        }
      }
      Setting<?> ours = SET_BY_SETTINGS.get(name);
      if (ours != null) {
        throw refused(
            name,
            value,
            "is set by " + ours.variable() + " of order-server, not by a client property");
      }
      for (ForcedSetting guarantee : forced) {
        if (!guarantee.name().equals(name)) {
          continue;
        }
        if (value.value().contains("${")) {
          throw refused(
              name,
              value,
              "must be written out, not read from a config provider, so that it can be checked"
                  + " (it must be "
                  + guarantee.valueText()
                  + ")");
        }
        if (!guarantee.accepts(value.value())) {
          throw refused(name, value, "must be " + guarantee.valueText() + ": " + guarantee.why());
        }
      }
    }
    return this;
  }

  /**
   * The properties as a log line may show them, each with the variable it came from or {@code
   * file}, e.g. {@code KAFKA_CONFIG_FILE /etc/order/kafka.properties: sasl.jaas.config=[hidden]
   * (file), security.protocol=SASL_SSL (KAFKA_CLIENT_SECURITY_PROTOCOL)}; {@code none} without any.
   */
  @Override
  public String toString() {
    if (given.isEmpty() && file.isEmpty()) {
      return "none";
    }
    String properties =
        given.entrySet().stream()
            .map(
                e ->
                    e.getKey()
                        + "="
                        + KafkaSecrets.shown(e.getKey(), e.getValue().value())
                        + " ("
                        + (e.getValue().origin().startsWith(VARIABLE_PREFIX)
                            ? e.getValue().origin()
                            : "file")
                        + ")")
            .collect(Collectors.joining(", "));
    return file.map(path -> Settings.KAFKA_CONFIG_FILE.variable() + " " + path + ": ").orElse("")
        + (properties.isEmpty() ? "no properties" : properties);
  }

  private static InvalidSettingException refused(String name, Given value, String why) {
    return new InvalidSettingException(
        "invalid "
            + name
            + " \""
            + KafkaSecrets.shown(name, value.value())
            + "\" in "
            + value.origin()
            + ": "
            + why);
  }

  /** The file's properties, read as Kafka's tools read them ({@link Properties#load}). */
  private static Map<String, String> fromFile(
      Path file, Function<String, InvalidSettingException> unreadable) {
    Properties properties = new Properties();
    // As Kafka's tools read it: a byte stream, ISO 8859-1 with \\u escapes.
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (NoSuchFileException e) {
      throw unreadable.apply("no such file");
    } catch (AccessDeniedException e) {
      throw unreadable.apply("not allowed to read it");
    } catch (IOException e) {
      throw unreadable.apply("cannot read it: " + e.getClass().getSimpleName());
    } catch (IllegalArgumentException e) {
      throw unreadable.apply("not a properties file: " + e.getMessage());
    }
    Map<String, String> values = new TreeMap<>();
    properties
        .stringPropertyNames()
        .forEach(name -> values.put(name, properties.getProperty(name).strip()));
    return values;
  }
}
