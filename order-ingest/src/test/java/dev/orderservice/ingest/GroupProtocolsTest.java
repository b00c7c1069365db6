package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.testsupport.TestBroker;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.junit.jupiter.api.Test;

/** Which consumer group protocol a cluster offers, asked of a real broker. */
class GroupProtocolsTest {

  @Test
  void aKafka4BrokerOffersTheConsumerProtocol() {
    assertThat(
            GroupProtocols.best(
                Map.of("bootstrap.servers", TestBroker.bootstrapServers()), Duration.ofSeconds(10)))
        .isEqualTo(GroupProtocol.CONSUMER);
  }

  @Test
  void aClusterThatDoesNotAnswerGetsTheClassicOneWithinTheTimeout() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    long start = System.nanoTime();

    GroupProtocol protocol =
        GroupProtocols.best(
            Map.of("bootstrap.servers", "127.0.0.1:" + closedPort), Duration.ofMillis(500));

    assertThat(protocol).isEqualTo(GroupProtocol.CLASSIC);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
