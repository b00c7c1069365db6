package dev.orderservice.persistence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.domain.OrderSummary;
import dev.orderservice.domain.OrderSummaryJson;
import dev.orderservice.persistence.StoredOrdersPayload.Announced;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoredOrdersPayloadTest {

  @Test
  void payloadsAreAsciiArraysOfSummariesUnderTheLimitThatReadBackInOrder() {
    List<OrderSummary> summaries = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      summaries.add(
          new OrderSummary(
              "uid-" + i,
              "Трек-" + i,
              "клиент \uD83D\uDE00 " + i,
              "2021-11-26T06:22:19Z",
              i,
              "RUB",
              2));
    }

    List<String> payloads = StoredOrdersPayload.chunks(summaries);

    assertThat(payloads).hasSizeGreaterThan(1);
    List<OrderSummary> read = new ArrayList<>();
    for (String payload : payloads) {
      assertThat(payload.getBytes(UTF_8)).hasSize(payload.length());
      assertThat(payload.length()).isLessThanOrEqualTo(StoredOrdersPayload.MAX_BYTES);
      StoredOrdersPayload.read(payload).forEach(a -> read.add(a.summary().orElseThrow()));
    }
    assertThat(read).isEqualTo(summaries);
  }

  @Test
  void aSummaryTooLongForAPayloadIsAnnouncedByItsUidAlone() {
    OrderSummary huge =
        new OrderSummary("uid-1", "T".repeat(9_000), "c", "2021-11-26T06:22:19Z", 1, "USD", 1);

    List<String> payloads = StoredOrdersPayload.chunks(List.of(huge));

    assertThat(payloads).containsExactly("[{\"order_uid\":\"uid-1\"}]");
    assertThat(StoredOrdersPayload.read(payloads.get(0)))
        .containsExactly(new Announced("uid-1", Optional.empty()));
  }

  @Test
  void eachSummaryIsWrittenByTheDomainsCodec() {
    OrderSummary plain =
        new OrderSummary("uid-1", "TRACK", "customer", "2021-11-26T06:22:19Z", 1817, "USD", 3);

    assertThat(StoredOrdersPayload.chunks(List.of(plain)))
        .containsExactly("[" + OrderSummaryJson.toJson(plain) + "]");
  }

  @Test
  void aPayloadWithAFieldOfTheWrongTypeIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                StoredOrdersPayload.read(
                    "[{\"order_uid\":\"u\",\"track_number\":\"t\",\"customer_id\":\"c\","
                        + "\"date_created\":\"d\",\"amount\":\"1\",\"currency\":\"USD\","
                        + "\"item_count\":1}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("amount: expected an integer");
  }
}
