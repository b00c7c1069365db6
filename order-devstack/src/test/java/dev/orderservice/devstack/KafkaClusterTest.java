package dev.orderservice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaClusterTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void losesNoAcknowledgedRecordWhenTheBrokerLeadingMostPartitionsIsKilled() throws Exception {
    try (KafkaCluster cluster = KafkaCluster.builder().build()) {
      cluster.start();
      cluster.createTopic("replicated", 6);
      assertThat(describe(cluster, "replicated").partitions())
          .allSatisfy(p -> assertThat(p.replicas()).hasSize(3))
          .allSatisfy(p -> assertThat(p.isr()).hasSize(3));
      List<String> acknowledged = new ArrayList<>(produce(cluster, "before", 60));

      int victim = cluster.leaderOfMostPartitions("replicated");
      Map<Integer, Integer> led = cluster.partitionsLedByNode("replicated");
      assertThat(led.get(victim)).isEqualTo(led.values().stream().mapToInt(i -> i).max().orElse(0));
      cluster.kill(victim);

      assertThat(cluster.runningNodeIds()).hasSize(2).doesNotContain(victim);
      await()
          .atMost(DEADLINE)
          .untilAsserted(
              () ->
                  assertThat(describe(cluster, "replicated").partitions())
                      .extracting(TopicPartitionInfo::leader)
                      .extracting(Node::id)
                      .doesNotContain(victim));
      acknowledged.addAll(produce(cluster, "after", 60));
      assertThat(cluster.partitionsLedByNode("replicated")).doesNotContainKey(victim);
      assertThat(consumeAll(cluster, "replicated", acknowledged.size()))
          .containsExactlyInAnyOrderElementsOf(acknowledged);
    }
  }

  /** Sends {@code count} records with acks=all and returns the values acknowledged. */
  private static List<String> produce(KafkaCluster cluster, String prefix, int count)
      throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DEADLINE.toMillis());
    List<String> values = new ArrayList<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String value = prefix + "-" + i;
        acks.add(producer.send(new ProducerRecord<>("replicated", value, value)));
        values.add(value);
      }
      for (Future<RecordMetadata> ack : acks) {
        ack.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    return values;
  }

  private static List<String> consumeAll(KafkaCluster cluster, String topic, int expected) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(DEADLINE)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.size() >= expected;
              });
    }
    return values;
  }

  private static TopicDescription describe(KafkaCluster cluster, String topic) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .get(topic);
    }
  }
}
