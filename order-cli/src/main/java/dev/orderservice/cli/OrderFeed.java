package dev.orderservice.cli;

import dev.orderservice.domain.DecodeResult;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Where documents go, whatever their source (a file, a topic): each is decoded by the {@link
 * OrderCodec}, so it means exactly what it means to the service; undecodable ones are counted as
 * invalid, and orders go to the {@link Destination} in batches. Used by one thread.
 */
final class OrderFeed {

  /** Takes a batch of decoded orders and says what became of each. */
  interface Destination {
    /**
     * Handles the orders; may block.
     *
     * @return one result per order, in order
     */
    List<Result> deliver(List<Order> batch);
  }

  /** What a destination did with one order. */
  record Result(Tally.Outcome outcome, String orderUid, List<String> reasons) {
    static Result of(Tally.Outcome outcome, String orderUid) {
      return new Result(outcome, orderUid, List.of());
    }
  }

  private final OrderCodec codec;
  private final Destination destination;
  private final int batchSize;
  private final Tally tally;
  private final Progress progress;
  /** The documents since the last delivery, in input order: the tally keeps that order. */
  private final List<Pending> pending = new ArrayList<>();
  private int ordersPending;

  /** A document waiting for its batch: an order, or why it could not be read. */
  private record Pending(String origin, Order order, String unreadable) {}

  OrderFeed(OrderCodec codec, Destination destination, int batchSize, Tally tally,
      Progress progress) {
    this.codec = codec;
    this.destination = destination;
    this.batchSize = batchSize;
    this.tally = tally;
    this.progress = progress;
  }

  /** A document from {@code origin} ({@code FILE line N}, {@code FILE [i]}, {@code topic-p@o}). */
  void document(String origin, byte[] json) {
    DecodeResult decoded = codec.decode(json);
    if (decoded instanceof DecodeResult.Failed failed) {
      unreadable(origin, failed.reason());
      return;
    }
    pending.add(new Pending(origin, ((DecodeResult.Decoded) decoded).order(), null));
    if (++ordersPending >= batchSize) {
      flush();
    }
  }

  /** A document that could not even be cut out of its source. */
  void unreadable(String origin, String reason) {
    pending.add(new Pending(origin, null, reason));
    if (pending.size() >= batchSize * 4) {
      flush(); // a file of nothing but bad documents still reports as it goes
    }
  }

  /** Delivers what is left; call once at the end. */
  void finish() {
    flush();
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<Order> orders = pending.stream().map(Pending::order).filter(o -> o != null).toList();
    List<Result> results = orders.isEmpty() ? List.of() : destination.deliver(orders);
    int next = 0;
    for (Pending p : pending) {
      if (p.order() == null) {
        tally.count(Tally.Outcome.INVALID, p.origin(), "", List.of(p.unreadable()));
      } else {
        Result r = results.get(next++);
        tally.count(r.outcome(), p.origin(), r.orderUid(), r.reasons());
      }
    }
    progress.advance(pending.size());
    pending.clear();
    ordersPending = 0;
  }
}
