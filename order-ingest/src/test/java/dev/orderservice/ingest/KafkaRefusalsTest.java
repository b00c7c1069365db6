package dev.orderservice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.sdk.trace.data.EventData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The ingest's side of a refusal: the listener hears each one and the recovery, once. */
class KafkaRefusalsTest {

  private final List<String> heard = new ArrayList<>();
  private final IngestListener listener =
      new IngestListener() {
        @Override
        public void kafkaRefused(KafkaRefusal refusal) {
          heard.add("refused: " + refusal.reason());
        }

        @Override
        public void kafkaAccepted() {
          heard.add("accepted");
        }
      };

  @Test
  void theListenerHearsEveryRefusalAndTheRecoveryOnce() {
    KafkaRefusals refusals =
        new KafkaRefusals(listener, Duration.ofMillis(1), Duration.ofMillis(2));

    refusals.accepted(); // nothing was refused: nothing to say
    refusals.refusedThenWait(new SaslAuthenticationException("bad password for orders"));
    refusals.refusedThenWait(new SaslAuthenticationException("bad password for orders"));
    refusals.accepted();
    refusals.accepted();

    assertThat(heard)
        .containsExactly(
            "refused: bad password for orders", "refused: bad password for orders", "accepted");
  }

  @Test
  void eachRefusedAttemptIsARetryEventOfTheBatchInHandWithTheAttemptAndTheWait() {
    KafkaRefusals refusals =
        new KafkaRefusals(listener, Duration.ofMillis(4), Duration.ofMillis(8));
    try (TestTracing tracing = new TestTracing()) {
      BatchTrace inHand =
          IngestTracing.of(tracing.openTelemetry(), "orders", "group", "orders.dlq").startBatch();

      refusals.refusedThenWait(new SaslAuthenticationException("bad password"), inHand);
      refusals.refusedThenWait(new SaslAuthenticationException("bad password"), inHand);
      inHand.end();

      List<EventData> events = tracing.named(IngestTracing.BATCH).get(0).getEvents();
      assertThat(events).extracting(EventData::getName).containsExactly("retry", "retry");
      assertThat(events)
          .extracting(e -> e.getAttributes().get(IngestTracing.ATTEMPT))
          .containsExactly(2L, 3L);
      assertThat(events)
          .extracting(e -> e.getAttributes().get(IngestTracing.WAIT_MS))
          .allMatch(ms -> ms >= 2 && ms <= 8);
      assertThat(events)
          .extracting(e -> e.getAttributes().get(IngestTracing.EXCEPTION_TYPE))
          .containsOnly(SaslAuthenticationException.class.getName());
    }
  }

  @Test
  void aWaitEndsAtOnceOnceTheIngestCloses() {
    KafkaRefusals refusals =
        new KafkaRefusals(listener, Duration.ofMinutes(5), Duration.ofMinutes(10));
    refusals.wakeup();

    long start = System.nanoTime();
    refusals.refusedThenWait(new SaslAuthenticationException("no"));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void anyOtherFailureIsThrownOnAndNotReported() {
    KafkaRefusals refusals =
        new KafkaRefusals(listener, Duration.ofMillis(1), Duration.ofMillis(2));
    TimeoutException other = new TimeoutException("slow");

    assertThatThrownBy(() -> refusals.refusedThenWait(other)).isSameAs(other);
    assertThat(refusals.reportIfRefusal(other)).isFalse();
    assertThat(heard).isEmpty();
  }

  @Test
  void aListenerThatFailsDoesNotStopTheIngest() {
    KafkaRefusals refusals =
        new KafkaRefusals(
            new IngestListener() {
              @Override
              public void kafkaRefused(KafkaRefusal refusal) {
                throw new IllegalStateException("listener bug");
              }
            },
            Duration.ofMillis(1),
            Duration.ofMillis(2));

    assertThat(refusals.reportIfRefusal(new SaslAuthenticationException("no"))).isTrue();
  }
}
