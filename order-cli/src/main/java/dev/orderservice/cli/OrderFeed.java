package dev.orderservice.cli;

import dev.orderservice.domain.AcceptResult;
import dev.orderservice.domain.OrderDocument;
import dev.orderservice.domain.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * Where documents go, whatever their source (a file, a topic): in batches to a {@link Destination},
 * which reads them through the service's one decode path ({@code OrderChecker.check}), so each
 * means exactly what it means to the service; what became of each is counted in the {@link Tally}
 * under where it came from. Used by one thread.
 */
final class OrderFeed {

  /** Takes a batch of documents and says what became of each. */
  interface Destination {
    /**
     * Handles the documents; may block.
     *
     * @return one result per document, in order
     */
    List<Result> deliver(List<OrderDocument> batch);
  }

  /** What a destination did with one document. */
  record Result(Tally.Outcome outcome, String orderUid, List<Violation> violations) {
    static Result of(Tally.Outcome outcome, String orderUid) {
      return new Result(outcome, orderUid, List.of());
    }

    /** The service's result, in the CLI's terms: unreadable documents count as invalid. */
    static Result of(AcceptResult accepted) {
      return switch (accepted.status()) {
        case INSERTED -> of(Tally.Outcome.INSERTED, accepted.orderUid());
        case DUPLICATE -> of(Tally.Outcome.DUPLICATE, accepted.orderUid());
        case CONFLICT ->
            new Result(
                Tally.Outcome.CONFLICT,
                accepted.orderUid(),
                List.of(new Violation("", accepted.describe())));
        case INVALID, UNREADABLE ->
            new Result(Tally.Outcome.INVALID, accepted.orderUid(), accepted.violations());
      };
    }
  }

  private final Destination destination;
  private final int batchSize;
  private final Tally tally;
  private final Progress progress;

  /** The documents since the last delivery, in input order: the tally keeps that order. */
  private final List<Tally.Origin> origins = new ArrayList<>();

  private final List<OrderDocument> pending = new ArrayList<>();

  OrderFeed(Destination destination, int batchSize, Tally tally, Progress progress) {
    this.destination = destination;
    this.batchSize = batchSize;
    this.tally = tally;
    this.progress = progress;
  }

  /** A document from {@code origin}. */
  void document(Tally.Origin origin, OrderDocument document) {
    origins.add(origin);
    pending.add(document);
    if (pending.size() >= batchSize) {
      flush();
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
    List<Result> results = destination.deliver(pending);
    for (int i = 0; i < pending.size(); i++) {
      Result r = results.get(i);
      tally.count(r.outcome(), origins.get(i), r.orderUid(), r.violations());
    }
    progress.advance(pending.size());
    pending.clear();
    origins.clear();
  }
}
