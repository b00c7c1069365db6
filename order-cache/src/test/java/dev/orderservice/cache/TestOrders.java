package dev.orderservice.cache;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.util.ArrayList;
import java.util.List;

/** Valid orders with their canonical JSON, as the store would hand them out. */
final class TestOrders {

  private TestOrders() {}

  /** {@code n} random orders; the same seed gives the same orders. */
  static List<EncodedOrder> encoded(int n, long seed) {
    RandomOrders random = new RandomOrders(seed);
    OrderCodec codec = OrderCodec.standard();
    List<EncodedOrder> orders = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      orders.add(codec.encoded(random.next()));
    }
    return orders;
  }
}
