package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.domain.OrderService;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.junit.jupiter.api.Test;

class IngestClientSettingsTest {

  private final OrderService service = new OrderService(new UnusedStore(), new MapOrderCache());

  @Test
  void whatTheGuaranteesRestOnIsForcedWhateverTheCallerSet() {
    IngestClientSettings clients =
        settings(
            OrderIngest.builder()
                .bootstrapServers("broker:9092")
                .maxBatchSize(700)
                .consumerProperties(
                    Map.of(
                        "enable.auto.commit",
                        true,
                        "max.poll.records",
                        1,
                        "isolation.level",
                        "read_uncommitted"))
                .producerProperties(Map.of("acks", "1", "enable.idempotence", false)));

    assertThat(clients.consumerConfig())
        .containsEntry("enable.auto.commit", false)
        .containsEntry("max.poll.records", 700)
        .containsEntry("isolation.level", "read_committed");
    assertThat(clients.producerConfig())
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true);
  }

  @Test
  void theForcedSettingsArePublishedWithTheirReasonsForARunnerToCheck() {
    assertThat(OrderIngest.forcedSettings(700))
        .extracting(ForcedSetting::name)
        .containsExactly(
            "enable.auto.commit",
            "isolation.level",
            "max.poll.records",
            "key.deserializer",
            "value.deserializer",
            "acks",
            "enable.idempotence",
            "key.serializer",
            "value.serializer");
    assertThat(OrderIngest.forcedSettings(700))
        .allSatisfy(forced -> assertThat(forced.why()).isNotBlank())
        .filteredOn(forced -> forced.name().equals("max.poll.records"))
        .singleElement()
        .satisfies(forced -> assertThat(forced.accepts(" 700")).isTrue());
  }

  @Test
  void theCallersPropertiesComeBeforeTheBuildersSettingsAndTheDefaults() {
    IngestClientSettings clients =
        settings(
            OrderIngest.builder()
                .bootstrapServers("builder:9092")
                .groupId("builder-group")
                .consumerProperties(
                    Map.of(
                        "bootstrap.servers", "consumer:9092",
                        "group.id", "property-group",
                        "auto.offset.reset", "latest"))
                .producerProperties(Map.of("linger.ms", 20)));

    assertThat(clients.consumerConfig())
        .containsEntry("bootstrap.servers", "consumer:9092")
        .containsEntry("group.id", "property-group")
        .containsEntry("auto.offset.reset", "latest")
        .containsEntry("client.id", "order-ingest");
    assertThat(clients.producerConfig())
        .as("the dead-letter producer reaches the brokers the consumer reads from")
        .containsEntry("bootstrap.servers", "consumer:9092")
        .containsEntry("linger.ms", 20)
        .containsEntry("client.id", "order-ingest-dlq");
    assertThat(clients.groupId()).isEqualTo("property-group");
  }

  @Test
  void theMembershipIsDescribedForTheStartUpLine() {
    OrderIngest.Builder builder = OrderIngest.builder().bootstrapServers("broker:9092");

    assertThat(settings(builder).membership())
        .isEqualTo("dynamic member, classic protocol, session timeout Kafka's default");
    assertThat(
            settings(builder.groupInstanceId("host-1").sessionTimeout(Duration.ofSeconds(10)))
                .membership())
        .isEqualTo("static member host-1, classic protocol, session timeout 10000 ms");
  }

  @Test
  void theConsumerProtocolLeavesTheSessionTimeoutToTheBroker() {
    OrderIngest.Builder builder =
        OrderIngest.builder()
            .bootstrapServers("broker:9092")
            .groupInstanceId("host-1")
            .groupProtocol(GroupProtocol.CONSUMER);

    IngestClientSettings clients = settings(builder);

    assertThat(clients.consumerConfig())
        .containsEntry("group.protocol", "consumer")
        .doesNotContainKey("session.timeout.ms");
    assertThat(clients.membership())
        .isEqualTo("static member host-1, consumer protocol, session timeout the broker's");
    assertThatThrownBy(() -> builder.sessionTimeout(Duration.ofSeconds(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("group.consumer.session.timeout.ms");
    assertThat(
            settings(
                    OrderIngest.builder()
                        .bootstrapServers("broker:9092")
                        .consumerProperties(Map.of("group.protocol", "consumer")))
                .consumerConfig())
        .as("a group.protocol property is taken when the builder names none")
        .containsEntry("group.protocol", "consumer");
  }

  private IngestClientSettings settings(OrderIngest.Builder builder) {
    return IngestSettings.of(builder.service(service)).clients();
  }
}
