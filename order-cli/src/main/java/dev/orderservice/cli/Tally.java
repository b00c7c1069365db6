package dev.orderservice.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What became of each order of a run, counted by {@link Outcome}, with the rejected ones kept for
 * the summary: where each came from and why. Used by one thread.
 */
final class Tally {

  /** How one document ended. */
  enum Outcome {
    INSERTED("inserted"),
    DUPLICATE("duplicates"),
    CONFLICT("conflicts"),
    INVALID("invalid"),
    /** Sent to a topic and acknowledged. */
    PUBLISHED("published"),
    /** Valid, and nothing else was done with it (a dry run). */
    VALID("valid");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    boolean rejected() {
      return this == CONFLICT || this == INVALID;
    }
  }

  /**
   * A rejected document.
   *
   * @param origin where it came from: {@code FILE line N}, {@code FILE [i]}, {@code topic-p@offset}
   * @param orderUid the uid, empty if it could not be read
   * @param reasons the decoder's reason or the validator's violations ({@code path: reason})
   */
  record Rejection(String origin, Outcome outcome, String orderUid, List<String> reasons) {}

  private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
  private final List<Rejection> rejections = new ArrayList<>();

  void count(Outcome outcome, String origin, String orderUid, List<String> reasons) {
    counts.merge(outcome, 1L, Long::sum);
    if (outcome.rejected()) {
      rejections.add(new Rejection(origin, outcome, orderUid, List.copyOf(reasons)));
    }
  }

  long count(Outcome outcome) {
    return counts.getOrDefault(outcome, 0L);
  }

  long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  boolean anyRejected() {
    return count(Outcome.INVALID) + count(Outcome.CONFLICT) > 0;
  }

  List<Rejection> rejections() {
    return List.copyOf(rejections);
  }

  /**
   * Prints {@code shown} counts on one line, e.g. {@code 9700 inserted, 0 duplicates, 0
   * conflicts, 300 invalid}, then one line per rejected document.
   */
  void print(PrintWriter out, List<Outcome> shown) {
    out.println(shown.stream()
        .map(o -> String.format(Locale.ROOT, "%d %s", count(o), o.label))
        .collect(Collectors.joining(", ")));
    for (Rejection r : rejections) {
      String uid = r.orderUid().isEmpty() ? "" : " (order_uid " + r.orderUid() + ")";
      out.println(String.format(Locale.ROOT, "%-8s %s%s: %s",
          r.outcome() == Outcome.CONFLICT ? "conflict" : "invalid",
          r.origin(), uid, String.join("; ", r.reasons())));
    }
    out.flush();
  }
}
