package dev.orderservice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.cache.EhcacheOrderCache;
import dev.orderservice.persistence.OrderRetention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

  private static ServerConfig parse(Map<String, String> env, String... args) {
    return ServerOptions.parse(args, env);
  }

  @Test
  void withNothingSetEverythingIsEmbeddedAndHttpListensOnEveryInterfaceAt8080() {
    ServerConfig config = parse(Map.of());

    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.embeddedKafka()).isTrue();
    assertThat(config.kafkaTopic()).isEqualTo("orders");
    assertThat(config.kafkaGroup()).isEqualTo("order-service");
    assertThat(config.httpHost()).isEqualTo("0.0.0.0");
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.cacheMaxEntries()).isEqualTo(EhcacheOrderCache.DEFAULT_MAX_ENTRIES);
    assertThat(config.apiToken()).isEmpty();
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
  }

  @Test
  void environmentVariablesSetEverySetting() {
    ServerConfig config =
        parse(
            Map.of(
                "DB_DSN", "postgres://app:s3cret@db:5432/orders?sslmode=disable",
                "KAFKA_BROKER", "kafka:9092",
                "KAFKA_TOPIC", "orders-v2",
                "KAFKA_GROUP", "readers",
                "HTTP_ADDR", "127.0.0.1:9000",
                "CACHE_MAX_ENTRIES", "500",
                "API_TOKEN", "t0ken",
                "DATA_DIR", "/var/lib/orders"));

    assertThat(config.jdbcUrl())
        .contains("jdbc:postgresql://db:5432/orders?user=app&password=s3cret&sslmode=disable");
    assertThat(config.kafkaBootstrapServers()).contains("kafka:9092");
    assertThat(config.kafkaTopic()).isEqualTo("orders-v2");
    assertThat(config.kafkaGroup()).isEqualTo("readers");
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.httpPort()).isEqualTo(9000);
    assertThat(config.cacheMaxEntries()).isEqualTo(500);
    assertThat(config.apiToken()).contains("t0ken");
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/orders"));
  }

  @Test
  void aFlagWinsOverItsEnvironmentVariable() {
    ServerConfig config =
        parse(
            Map.of("HTTP_ADDR", ":8080", "KAFKA_TOPIC", "from-env"),
            "--http-addr",
            "127.0.0.1:0",
            "--kafka-topic",
            "from-flag");

    assertThat(config.httpPort()).isZero();
    assertThat(config.kafkaTopic()).isEqualTo("from-flag");
  }

  @Test
  void kafkaBrokersIsAcceptedAsWellAsKafkaBroker() {
    assertThat(parse(Map.of("KAFKA_BROKERS", "a:9092,b:9093")).kafkaBootstrapServers())
        .contains("a:9092,b:9093");
  }

  @Test
  void aBlankVariableCountsAsUnset() {
    ServerConfig config = parse(Map.of("DB_DSN", " ", "KAFKA_BROKER", ""));

    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.embeddedKafka()).isTrue();
  }

  @Test
  void aJdbcUrlIsTakenAsItIs() {
    assertThat(parse(Map.of(), "--db-dsn", "jdbc:postgresql://h:5433/d?user=u").jdbcUrl())
        .isEqualTo(Optional.of("jdbc:postgresql://h:5433/d?user=u"));
  }

  @Test
  void anIpv6HttpAddressIsWrittenInBrackets() {
    ServerConfig config = parse(Map.of(), "--http-addr", "[::1]:8081");

    assertThat(config.httpHost()).isEqualTo("::1");
    assertThat(config.httpPort()).isEqualTo(8081);
  }

  @Test
  void aPortOutOfRangeIsRefusedWithOneLineNamingTheSetting() {
    assertThatThrownBy(() -> parse(Map.of("HTTP_ADDR", ":99999")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid HTTP_ADDR (--http-addr) \":99999\": port must be 0..65535");
  }

  @Test
  void anAddressWithoutAPortIsRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "--http-addr", "localhost"))
        .hasMessage(
            "invalid HTTP_ADDR (--http-addr) \"localhost\": expected [HOST]:PORT,"
                + " e.g. :8080 or 127.0.0.1:8080");
  }

  @Test
  void aDsnThatIsNotPostgresIsRefusedWithoutRepeatingItsPassword() {
    assertThatThrownBy(() -> parse(Map.of("DB_DSN", "mysql://u:hunter2@h/db")))
        .hasMessageStartingWith("invalid DB_DSN (--db-dsn): ")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aCacheSizeMustBeAWholeNumberWithZeroDisablingTheCache() {
    assertThatThrownBy(() -> parse(Map.of("CACHE_MAX_ENTRIES", "lots")))
        .hasMessage(
            "invalid CACHE_MAX_ENTRIES (--cache-max-entries) \"lots\":"
                + " must be a whole number >= 0 (0 disables the cache)");
    assertThatThrownBy(() -> parse(Map.of(), "--cache-max-entries", "-1"))
        .hasMessageStartingWith("invalid CACHE_MAX_ENTRIES");
    assertThat(parse(Map.of(), "--cache-max-entries", "0").cacheMaxEntries()).isZero();
  }

  @Test
  void aBrokerWithoutAPortIsRefused() {
    assertThatThrownBy(() -> parse(Map.of("KAFKA_BROKER", "kafka")))
        .hasMessage(
            "invalid KAFKA_BROKER (--kafka-broker) \"kafka\":"
                + " expected HOST:PORT[,HOST:PORT...]");
  }

  @Test
  void anIllegalTopicNameIsRefused() {
    assertThatThrownBy(() -> parse(Map.of("KAFKA_TOPIC", "my orders")))
        .hasMessageStartingWith("invalid KAFKA_TOPIC (--kafka-topic) \"my orders\": ");
  }

  @Test
  void aTokenWithSpacesIsRefusedWithoutRepeatingIt() {
    assertThatThrownBy(() -> parse(Map.of("API_TOKEN", "my secret")))
        .hasMessageStartingWith("invalid API_TOKEN (--api-token): ")
        .hasMessageNotContaining("secret\"");
  }

  @Test
  void anUnknownFlagIsRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "--bogus"))
        .hasMessage("Unknown option: '--bogus' (see --help)");
  }

  @Test
  void toStringShowsNeitherTheTokenNorTheDatabasePassword() {
    ServerConfig config =
        parse(Map.of("DB_DSN", "postgres://app:s3cret@db:5432/orders", "API_TOKEN", "t0ken"));

    assertThat(config.toString())
        .contains("db:5432/orders")
        .doesNotContain("s3cret")
        .doesNotContain("t0ken");
  }

  @Test
  void deadLettersGoToTheTopicsOwnDeadLetterTopicUnlessOneIsNamed() {
    assertThat(parse(Map.of()).kafkaDeadLetterTopic()).isEqualTo("orders.dlq");
    assertThat(parse(Map.of("KAFKA_TOPIC", "crash")).kafkaDeadLetterTopic()).isEqualTo("crash.dlq");
    assertThat(
            parse(Map.of("KAFKA_TOPIC", "crash", "KAFKA_DLQ_TOPIC", "rejects"))
                .kafkaDeadLetterTopic())
        .isEqualTo("rejects");
    assertThat(parse(Map.of(), "--kafka-dlq-topic", "rejects").kafkaDeadLetterTopic())
        .isEqualTo("rejects");
  }

  @Test
  void unknownFieldsAreRejectedUnlessIgnoreIsAskedFor() {
    assertThat(parse(Map.of()).ignoreUnknownFields()).isFalse();
    assertThat(parse(Map.of("UNKNOWN_FIELDS", "ignore")).ignoreUnknownFields()).isTrue();
    assertThat(
            parse(Map.of("UNKNOWN_FIELDS", "ignore"), "--unknown-fields", "reject")
                .ignoreUnknownFields())
        .isFalse();
    assertThatThrownBy(() -> parse(Map.of("UNKNOWN_FIELDS", "skip")))
        .hasMessage(
            "invalid UNKNOWN_FIELDS (--unknown-fields) \"skip\": expected reject or ignore");
  }

  @Test
  void aDeadLetterTopicThatIsTheTopicItselfIsRefused() {
    assertThatThrownBy(() -> parse(Map.of("KAFKA_TOPIC", "orders", "KAFKA_DLQ_TOPIC", "orders")))
        .hasMessageStartingWith(
            "invalid KAFKA_DLQ_TOPIC (--kafka-dlq-topic) \"orders\": must differ");
  }

  @Test
  void theStaticMemberIdIsTheHostAndTheHttpPortByDefault() {
    assertThat(parse(Map.of("HOSTNAME", "box-1")).kafkaInstanceId()).contains("box-1-8080");
    assertThat(parse(Map.of("HOSTNAME", "box 1", "HTTP_ADDR", "127.0.0.1:9001")).kafkaInstanceId())
        .contains("box-1-9001");
  }

  @Test
  void aPortPickedAtStartOrNoneMakesADynamicMember() {
    assertThat(parse(Map.of("HTTP_ADDR", ":0")).kafkaInstanceId()).isEmpty();
    assertThat(parse(Map.of("KAFKA_INSTANCE_ID", "none")).kafkaInstanceId()).isEmpty();
    assertThat(
            parse(Map.of("HTTP_ADDR", ":0"), "--kafka-instance-id", "orders-a").kafkaInstanceId())
        .contains("orders-a");
  }

  @Test
  void anInstanceIdWithSpacesIsRefused() {
    assertThatThrownBy(() -> parse(Map.of("KAFKA_INSTANCE_ID", "my box")))
        .hasMessageStartingWith("invalid KAFKA_INSTANCE_ID (--kafka-instance-id) \"my box\": ");
  }

  @Test
  void theSessionTimeoutTakesSecondsMinutesOrMilliseconds() {
    assertThat(parse(Map.of()).kafkaSessionTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(parse(Map.of("KAFKA_SESSION_TIMEOUT", "10s")).kafkaSessionTimeout())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(parse(Map.of("KAFKA_SESSION_TIMEOUT", "2m")).kafkaSessionTimeout())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(parse(Map.of("KAFKA_SESSION_TIMEOUT", "6500ms")).kafkaSessionTimeout())
        .isEqualTo(Duration.ofMillis(6500));
    assertThat(parse(Map.of("KAFKA_SESSION_TIMEOUT", "30")).kafkaSessionTimeout())
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theGroupProtocolIsClassicOrConsumerAndTheConsumerOneTakesNoSessionTimeout() {
    assertThat(parse(Map.of()).kafkaGroupProtocol()).isEqualTo("classic");
    assertThat(parse(Map.of("KAFKA_GROUP_PROTOCOL", "CONSUMER")).kafkaGroupProtocol())
        .isEqualTo("consumer");
    assertThatThrownBy(() -> parse(Map.of("KAFKA_GROUP_PROTOCOL", "eager")))
        .hasMessageStartingWith("invalid KAFKA_GROUP_PROTOCOL (--kafka-group-protocol)");
    assertThatThrownBy(
            () -> parse(Map.of("KAFKA_GROUP_PROTOCOL", "consumer", "KAFKA_SESSION_TIMEOUT", "45s")))
        .hasMessageStartingWith("invalid KAFKA_SESSION_TIMEOUT (--kafka-session-timeout)")
        .hasMessageContaining("group.consumer.session.timeout.ms");
    assertThatThrownBy(
            () ->
                ServerOptions.parse(
                    new String[] {
                      "--kafka-group-protocol", "consumer", "--kafka-session-timeout", "10s"
                    },
                    Map.of()))
        .hasMessageStartingWith("invalid KAFKA_SESSION_TIMEOUT (--kafka-session-timeout)");
    assertThatThrownBy(() -> parse(Map.of("KAFKA_CLIENT_GROUP_PROTOCOL", "consumer")))
        .hasMessageContaining("KAFKA_GROUP_PROTOCOL");
  }

  @Test
  void aSessionTimeoutOutOfRangeIsRefused() {
    assertThatThrownBy(() -> parse(Map.of("KAFKA_SESSION_TIMEOUT", "500ms")))
        .hasMessageStartingWith("invalid KAFKA_SESSION_TIMEOUT (--kafka-session-timeout)");
    assertThatThrownBy(() -> parse(Map.of("KAFKA_SESSION_TIMEOUT", "1h")))
        .hasMessageStartingWith("invalid KAFKA_SESSION_TIMEOUT (--kafka-session-timeout)");
  }

  @Test
  void thePoolSizeIsASettingOfAtLeastTwo() {
    assertThat(parse(Map.of()).dbPoolSize()).isEqualTo(8);
    assertThat(parse(Map.of("DB_POOL_SIZE", "20")).dbPoolSize()).isEqualTo(20);
    assertThatThrownBy(() -> parse(Map.of("DB_POOL_SIZE", "1")))
        .hasMessageStartingWith("invalid DB_POOL_SIZE (--db-pool-size) \"1\": ");
  }

  @Test
  void readsAreOpenUnlessProtectReadsIsOnWithAToken() {
    assertThat(parse(Map.of()).protectReads()).isFalse();
    assertThat(parse(Map.of("API_TOKEN", "t0ken")).protectReads()).isFalse();
    assertThat(parse(Map.of("API_TOKEN", "t0ken", "PROTECT_READS", "true")).protectReads())
        .isTrue();
    assertThat(
            parse(
                    Map.of("PROTECT_READS", "true"),
                    "--api-token",
                    "t0ken",
                    "--protect-reads",
                    "false")
                .protectReads())
        .isFalse();
  }

  @Test
  void protectingReadsWithoutATokenIsRefused() {
    assertThatThrownBy(() -> parse(Map.of("PROTECT_READS", "true")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid PROTECT_READS (--protect-reads) \"true\": needs API_TOKEN (--api-token):"
                + " reads are protected by the same bearer token");
  }

  @Test
  void protectReadsIsTrueOrFalse() {
    assertThatThrownBy(() -> parse(Map.of("API_TOKEN", "t0ken", "PROTECT_READS", "yes")))
        .hasMessage("invalid PROTECT_READS (--protect-reads) \"yes\": expected true or false");
  }

  @Test
  void theStreamHeartbeatIsFifteenSecondsUnlessSet() {
    assertThat(parse(Map.of()).streamHeartbeat()).isEqualTo(Duration.ofSeconds(15));
    assertThat(parse(Map.of("STREAM_HEARTBEAT", "1m")).streamHeartbeat())
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(parse(Map.of(), "--stream-heartbeat", "250ms").streamHeartbeat())
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void aStreamHeartbeatOutOfRangeIsRefused() {
    assertThatThrownBy(() -> parse(Map.of("STREAM_HEARTBEAT", "50ms")))
        .hasMessage(
            "invalid STREAM_HEARTBEAT (--stream-heartbeat) \"50ms\":"
                + " expected a duration from 100ms to 10m, e.g. 15s, 1m or 500ms");
    assertThatThrownBy(() -> parse(Map.of("STREAM_HEARTBEAT", "often")))
        .hasMessageStartingWith("invalid STREAM_HEARTBEAT (--stream-heartbeat) \"often\": ");
  }

  @Test
  void thePasswordFileGoesIntoTheJdbcUrlAndNeverIntoTheLoggedConfig(@TempDir Path dir)
      throws IOException {
    Path file = Files.writeString(dir.resolve("pg-password"), "s3cr&t\n");

    ServerConfig config =
        parse(
            Map.of(
                "DB_DSN",
                "postgres://app@db:5432/orders?sslmode=verify-full&sslrootcert=/ca.crt",
                "DB_PASSWORD_FILE",
                file.toString()));

    assertThat(config.jdbcUrl())
        .contains(
            "jdbc:postgresql://db:5432/orders?user=app&sslmode=verify-full&sslrootcert=/ca.crt"
                + "&password=s3cr%26t");
    assertThat(config.toString()).contains("database=db:5432/orders,").doesNotContain("s3cr");
  }

  @Test
  void aPasswordFileNeedsADsnWithoutAPassword(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("pg-password"), "s3cret\n");

    assertThatThrownBy(() -> parse(Map.of("DB_PASSWORD_FILE", file.toString())))
        .hasMessage(
            "invalid DB_PASSWORD_FILE (--db-password-file) \""
                + file
                + "\": needs DB_DSN (--db-dsn) to name the database");
    assertThatThrownBy(
            () ->
                parse(
                    Map.of(
                        "DB_DSN",
                        "postgres://app:other@db/orders",
                        "DB_PASSWORD_FILE",
                        file.toString())))
        .hasMessageEndingWith("DB_DSN (--db-dsn) carries a password too; give it in one place")
        .hasMessageNotContainingAny("s3cret", "other");
  }

  @Test
  void retentionIsOffUnlessAPeriodIsGivenAndAnonymizesByDefault() {
    assertThat(parse(Map.of()).retention()).isEmpty();

    ServerConfig config = parse(Map.of("RETENTION", "P3Y"));

    assertThat(config.retention()).contains(Period.ofYears(3));
    assertThat(config.retentionAction()).isEqualTo(OrderRetention.Action.ANONYMIZE);
    assertThat(config.retentionDeletes()).isFalse();
    assertThat(config.toString()).contains("retention=P3Y anonymize");
  }

  @Test
  void retentionTakesPeriodsOrDurationsAndTheDeleteAction() {
    ServerConfig config = parse(Map.of("RETENTION", "p90d", "RETENTION_ACTION", "DELETE"));

    assertThat(config.retention()).contains(Period.ofDays(90));
    assertThat(config.retentionDeletes()).isTrue();
    assertThat(parse(Map.of(), "--retention", "PT12H").retention()).contains(Duration.ofHours(12));
  }

  @Test
  void aRetentionThatIsNoPeriodOrNotLongerThanZeroIsRefusedWithOneLine() {
    for (String bad : List.of("3 years", "P0D", "P-1Y", "PT0S", "3y")) {
      assertThatThrownBy(() -> parse(Map.of("RETENTION", bad)))
          .as(bad)
          .hasMessage(
              "invalid RETENTION (--retention) \""
                  + bad
                  + "\": expected an ISO-8601 period longer than zero, e.g. P3Y, P18M or P90D"
                  + " (or a duration, e.g. PT12H)");
    }
    assertThatThrownBy(() -> parse(Map.of("RETENTION", "P3Y"), "--retention-action", "archive"))
        .hasMessage(
            "invalid RETENTION_ACTION (--retention-action) \"archive\": expected anonymize or"
                + " delete");
  }
}
