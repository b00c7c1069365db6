package dev.orderservice.domain;

import java.util.List;

/**
 * Copies of an order with one part changed, for tests in every module (published in order-domain's
 * test jar). The records have no withers; this is the one place that spells out their constructors
 * for tests.
 */
public final class OrderCopies {

  private OrderCopies() {}

  public static Order withUid(Order o, String uid) {
    return new Order(
        uid,
        o.trackNumber(),
        o.entry(),
        o.delivery(),
        o.payment(),
        o.items(),
        o.locale(),
        o.internalSignature(),
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        o.smId(),
        o.dateCreated(),
        o.oofShard());
  }

  public static Order withHeader(Order o, String trackNumber, String entry, String dateCreated) {
    return new Order(
        o.orderUid(),
        trackNumber,
        entry,
        o.delivery(),
        o.payment(),
        o.items(),
        o.locale(),
        o.internalSignature(),
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        o.smId(),
        dateCreated,
        o.oofShard());
  }

  public static Order withSignature(Order o, String internalSignature) {
    return new Order(
        o.orderUid(),
        o.trackNumber(),
        o.entry(),
        o.delivery(),
        o.payment(),
        o.items(),
        o.locale(),
        internalSignature,
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        o.smId(),
        o.dateCreated(),
        o.oofShard());
  }

  public static Order withDelivery(Order o, Delivery delivery) {
    return new Order(
        o.orderUid(),
        o.trackNumber(),
        o.entry(),
        delivery,
        o.payment(),
        o.items(),
        o.locale(),
        o.internalSignature(),
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        o.smId(),
        o.dateCreated(),
        o.oofShard());
  }

  public static Order withPayment(Order o, Payment payment) {
    return new Order(
        o.orderUid(),
        o.trackNumber(),
        o.entry(),
        o.delivery(),
        payment,
        o.items(),
        o.locale(),
        o.internalSignature(),
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        o.smId(),
        o.dateCreated(),
        o.oofShard());
  }

  public static Order withItems(Order o, List<Item> items) {
    return new Order(
        o.orderUid(),
        o.trackNumber(),
        o.entry(),
        o.delivery(),
        o.payment(),
        items,
        o.locale(),
        o.internalSignature(),
        o.customerId(),
        o.deliveryService(),
        o.shardkey(),
        o.smId(),
        o.dateCreated(),
        o.oofShard());
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
