package dev.orderservice.domain;

import java.util.List;

/**
 * Copies of an order with one part changed, for tests in every module (published in order-domain's
 * test jar). {@link Order} has withers of its own; this is the one place that spells out the
 * constructors of its parts for tests.
 */
public final class OrderCopies {

  private OrderCopies() {}

  public static Order withUid(Order o, String uid) {
    return o.withOrderUid(uid);
  }

  public static Order withHeader(Order o, String trackNumber, String entry, String dateCreated) {
    return o.withTrackNumber(trackNumber).withEntry(entry).withDateCreated(dateCreated);
  }

  public static Order withSignature(Order o, String internalSignature) {
    return o.withInternalSignature(internalSignature);
  }

  public static Order withDelivery(Order o, Delivery delivery) {
    return o.withDelivery(delivery);
  }

  public static Order withPayment(Order o, Payment payment) {
    return o.withPayment(payment);
  }

  public static Order withItems(Order o, List<Item> items) {
    return o.withItems(items);
  }

  public static Order withEmail(Order o, String email) {
    Delivery d = o.delivery();
    return withDelivery(
        o, new Delivery(d.name(), d.phone(), d.zip(), d.city(), d.address(), d.region(), email));
  }

  public static Order withAmount(Order o, int amount) {
    Payment p = o.payment();
    return withPayment(
        o,
        new Payment(
            p.transaction(),
            p.requestId(),
            p.currency(),
            p.provider(),
            amount,
            p.paymentDt(),
            p.bank(),
            p.deliveryCost(),
            p.goodsTotal(),
            p.customFee()));
  }

  public static Order withCurrency(Order o, String currency) {
    Payment p = o.payment();
    return withPayment(
        o,
        new Payment(
            p.transaction(),
            p.requestId(),
            currency,
            p.provider(),
            p.amount(),
            p.paymentDt(),
            p.bank(),
            p.deliveryCost(),
            p.goodsTotal(),
            p.customFee()));
  }

  public static Order withRequestId(Order o, String requestId) {
    Payment p = o.payment();
    return withPayment(
        o,
        new Payment(
            p.transaction(),
            requestId,
            p.currency(),
            p.provider(),
            p.amount(),
            p.paymentDt(),
            p.bank(),
            p.deliveryCost(),
            p.goodsTotal(),
            p.customFee()));
  }
}
