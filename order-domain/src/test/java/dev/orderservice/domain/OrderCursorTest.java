package dev.orderservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class OrderCursorTest {

  private static final OrderQuery BY_TRACK =
      OrderQuery.builder().trackNumber("WBILMTESTTRACK").build();

  @Test
  void aTokenComesBackAsTheSamePositionForTheSameFilters() {
    OrderCursor cursor = new OrderCursor(Instant.parse("2021-11-26T06:22:19.123456Z"), 42);
    String token = cursor.encode(BY_TRACK);

    assertThat(token).matches("[A-Za-z0-9_-]+");
    assertThat(OrderCursor.decode(token, BY_TRACK)).isEqualTo(cursor);
    assertThat(OrderCursor.decode(token, BY_TRACK.after(cursor))).isEqualTo(cursor);
    assertThat(
            OrderCursor.decode(
                token, OrderQuery.builder().trackNumber("WBILMTESTTRACK").limit(100).build()))
        .isEqualTo(cursor); // the page size may change between pages
  }

  @Test
  void positionsBeforeTheEpochAndAtMicrosecondsSurvive() {
    OrderCursor cursor = new OrderCursor(Instant.parse("1969-12-31T23:59:59.000001Z"), 0);

    assertThat(OrderCursor.decode(cursor.encode(BY_TRACK), BY_TRACK)).isEqualTo(cursor);
    assertThat(new OrderCursor(Instant.parse("2021-01-01T00:00:00.123456789Z"), 1).createdAt())
        .isEqualTo(Instant.parse("2021-01-01T00:00:00.123456Z"));
  }

  @Test
  void aTokenOfAnotherSearchIsRefused() {
    String token = new OrderCursor(Instant.EPOCH, 7).encode(BY_TRACK);

    assertThatThrownBy(
            () -> OrderCursor.decode(token, OrderQuery.builder().trackNumber("OTHER").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cursor is not one that this search returned: start again without it");
    assertThatThrownBy(() -> OrderCursor.decode(token, OrderQuery.newest(20)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void alteredOrMadeUpTokensAreRefusedWithoutEchoingThem() {
    String token = new OrderCursor(Instant.EPOCH, 7).encode(BY_TRACK);
    String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    String moved =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(text.replace(".7.", ".8.").getBytes(StandardCharsets.UTF_8));

    for (String forged : new String[] {moved, "", "abc", "!!!!", token + "x", "YzEuMS4x"}) {
      assertThatThrownBy(() -> OrderCursor.decode(forged, BY_TRACK))
          .as(forged)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining(forged.isEmpty() ? "\u0000" : forged);
    }
  }

  @Test
  void aQueryRefusesALimitOutOfRangeAndFromAfterTo() {
    assertThatThrownBy(() -> OrderQuery.newest(0)).hasMessage("limit must be 1..100, was 0");
    assertThatThrownBy(() -> OrderQuery.newest(101)).hasMessage("limit must be 1..100, was 101");
    assertThatThrownBy(
            () ->
                OrderQuery.builder()
                    .from(Instant.parse("2021-01-02T00:00:00Z"))
                    .to(Instant.parse("2021-01-01T00:00:00Z"))
                    .build())
        .hasMessage("from must not be after to");
  }

  @Test
  void datesAreInstantsWhateverTheOffset() {
    assertThat(OrderDates.instant("2021-11-26T09:22:19+03:00"))
        .isEqualTo(OrderDates.instant("2021-11-26T06:22:19Z"));
    assertThat(OrderDates.isValid("+10000-01-01T00:00:00Z")).isFalse();
    assertThat(OrderDates.isValid("-2021-11-26T06:22:19Z")).isFalse();
    assertThat(OrderDates.isValid("2021-02-29T00:00:00Z")).isFalse();
    assertThat(OrderDates.isValid("0000-01-01T00:00:00Z")).isTrue();
  }
}
