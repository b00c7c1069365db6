package dev.orderservice.persistence;

import dev.orderservice.domain.OrderSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what a {@link StoredOrdersListener} tells, in order: every order delivered, and every
 * event ({@code stored <uid>}, {@code listening <afterOutage>}, {@code lost}) on one list, so that
 * tests can check what came before what. Thread safe.
 */
final class RecordingListener implements StoredOrdersListener.Listener {

  private final List<OrderSummary> stored = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private final List<Exception> losses = new ArrayList<>();

  @Override
  public synchronized void stored(List<OrderSummary> orders) {
    if (orders.isEmpty()) {
      throw new AssertionError("told of no orders");
    }
    stored.addAll(orders);
    orders.forEach(o -> events.add("stored " + o.orderUid()));
  }

  @Override
  public synchronized void listening(boolean afterOutage) {
    events.add("listening " + afterOutage);
  }

  @Override
  public synchronized void lost(Exception cause) {
    events.add("lost");
    losses.add(cause);
  }

  synchronized List<OrderSummary> stored() {
    return List.copyOf(stored);
  }

  synchronized List<String> storedUids() {
    return stored.stream().map(OrderSummary::orderUid).toList();
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  synchronized List<Exception> losses() {
    return List.copyOf(losses);
  }
}
