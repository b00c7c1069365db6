package dev.orderservice.bench;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.util.ArrayList;
import java.util.List;

/**
 * The orders the benchmarks work on: random, valid, from one fixed seed, so every benchmark and
 * every run measures the same rows. Encoded once, before any timing.
 */
final class BenchOrders {

  private static final long SEED = 20261123L;

  private BenchOrders() {}

  /** The first {@code count} orders of the fixed seed, with their canonical JSON. */
  static List<EncodedOrder> generate(int count) {
    System.err.printf("generating %,d random orders...%n", count);
    RandomOrders random = new RandomOrders(SEED);
    OrderCodec codec = OrderCodec.standard();
    List<EncodedOrder> orders = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      orders.add(codec.encoded(random.next()));
    }
    return orders;
  }

  /** Rows the orders take in the four tables: orders, delivery and payment, plus one per item. */
  static long rows(List<EncodedOrder> orders) {
    return orders.stream().mapToLong(o -> 3 + o.order().items().size()).sum();
  }
}
