package dev.orderservice.domain;

import static dev.orderservice.domain.OrderCopies.withAmount;
import static dev.orderservice.domain.OrderCopies.withCurrency;
import static dev.orderservice.domain.OrderCopies.withDelivery;
import static dev.orderservice.domain.OrderCopies.withEmail;
import static dev.orderservice.domain.OrderCopies.withHeader;
import static dev.orderservice.domain.OrderCopies.withItems;
import static dev.orderservice.domain.OrderCopies.withPayment;
import static dev.orderservice.domain.OrderCopies.withRequestId;
import static dev.orderservice.domain.OrderCopies.withSignature;
import static dev.orderservice.domain.OrderCopies.withUid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OrderValidatorTest {

  private final OrderValidator validator = new OrderValidator();

  @Test
  void theSampleOrderIsValid() {
    assertThat(validator.validate(SampleOrder.order())).isEmpty();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("brokenOrders")
  void eachRuleReportsTheExactPathAndReason(
      String path, String reason, UnaryOperator<Order> breakIt) {
    Order broken = breakIt.apply(SampleOrder.order());

    assertThat(validator.validate(broken)).containsExactly(new Violation(path, reason));
  }

  static Stream<Arguments> brokenOrders() {
    return Stream.of(
        rule("order_uid", "is required", o -> withUid(o, null)),
        rule("order_uid", "must not be blank", o -> withUid(o, "  ")),
        rule("order_uid", "must be 1..64 characters of [A-Za-z0-9_-]", o -> withUid(o, "a/b")),
        rule(
            "order_uid",
            "must be 1..64 characters of [A-Za-z0-9_-]",
            o -> withUid(o, "x".repeat(65))),
        rule(
            "track_number",
            "must not be blank",
            o -> withHeader(o, "", o.entry(), o.dateCreated())),
        rule("entry", "is required", o -> withHeader(o, o.trackNumber(), null, o.dateCreated())),
        rule(
            "date_created",
            "must be an ISO-8601 date-time with offset, e.g. 2021-11-26T06:22:19Z",
            o -> withHeader(o, o.trackNumber(), o.entry(), "2021-11-26 06:22:19")),
        rule(
            "date_created",
            "must be an ISO-8601 date-time with offset, e.g. 2021-11-26T06:22:19Z",
            o -> withHeader(o, o.trackNumber(), o.entry(), "2021-11-26T06:22:19")),
        rule("delivery", "is required", o -> withDelivery(o, null)),
        rule("delivery.email", "must be an e-mail address", o -> withEmail(o, "test@")),
        rule("delivery.email", "must be an e-mail address", o -> withEmail(o, "test.gmail.com")),
        rule("delivery.email", "must not be blank", o -> withEmail(o, "")),
        rule(
            "delivery.city",
            "must not contain NUL characters",
            o ->
                withDelivery(
                    o,
                    new Delivery(
                        o.delivery().name(),
                        o.delivery().phone(),
                        o.delivery().zip(),
                        "Kir\0yat",
                        o.delivery().address(),
                        o.delivery().region(),
                        o.delivery().email()))),
        rule("payment", "is required", o -> withPayment(o, null)),
        rule(
            "payment.currency",
            "must be three upper-case letters (ISO 4217)",
            o -> withCurrency(o, "US")),
        rule(
            "payment.currency",
            "must be three upper-case letters (ISO 4217)",
            o -> withCurrency(o, "usd")),
        rule("payment.request_id", "is required", o -> withRequestId(o, null)),
        rule("payment.amount", "must be >= 0", o -> withAmount(o, -1)),
        rule("items", "must contain at least one item", o -> withItems(o, List.of())),
        rule(
            "items[1].price",
            "must be >= 0",
            o -> withItems(o, List.of(o.items().get(0), withPrice(o.items().get(0), -5)))),
        rule(
            "items[0].brand",
            "must not be blank",
            o -> withItems(o, List.of(withBrand(o.items().get(0), " ")))),
        rule("internal_signature", "is required", o -> withSignature(o, null)));
  }

  @Test
  void emptyRequestIdAndSignatureAreAllowedAsInTheSample() {
    Order order = withSignature(withRequestId(SampleOrder.order(), ""), "");

    assertThat(validator.validate(order)).isEmpty();
  }

  @Test
  void everyViolationIsReportedAtOnce() {
    Order order = withAmount(withEmail(withUid(SampleOrder.order(), ""), "nope"), -3);

    assertThat(validator.validate(order))
        .extracting(Violation::toString)
        .containsExactly(
            "order_uid: must not be blank",
            "delivery.email: must be an e-mail address",
            "payment.amount: must be >= 0");
  }

  @Test
  void anOffsetOtherThanUtcIsAccepted() {
    Order order = withHeader(SampleOrder.order(), "T", "E", "2021-11-26T09:22:19.123+03:00");

    assertThat(validator.validate(order)).isEmpty();
  }

  private static Arguments rule(String path, String reason, UnaryOperator<Order> breakIt) {
    return Arguments.of(path, reason, breakIt);
  }

  private static Item withPrice(Item i, int price) {
    return new Item(
        i.chrtId(),
        i.trackNumber(),
        price,
        i.rid(),
        i.name(),
        i.sale(),
        i.size(),
        i.totalPrice(),
        i.nmId(),
        i.brand(),
        i.status());
  }

  private static Item withBrand(Item i, String brand) {
    return new Item(
        i.chrtId(),
        i.trackNumber(),
        i.price(),
        i.rid(),
        i.name(),
        i.sale(),
        i.size(),
        i.totalPrice(),
        i.nmId(),
        brand,
        i.status());
  }
}
