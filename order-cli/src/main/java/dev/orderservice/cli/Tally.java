package dev.orderservice.cli;

import dev.orderservice.domain.Violation;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * What became of each order of a run, counted by {@link Outcome}, with the rejected ones (where
 * each came from and why) kept for the summary, or handed on as they come so that memory stays
 * constant however many there are. Used by one thread.
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
   * Where a document came from: a file and the line (and array index) it starts at, or a record of
   * a topic ({@code topic-p@offset}, no line).
   *
   * @param line 0 when the source has no lines
   * @param index the index in a JSON array, else -1
   */
  record Origin(String source, long line, int index) {
    static Origin of(String source) {
      return new Origin(source, 0, -1);
    }

    /** {@code FILE line N}, {@code FILE [i] (line N)} or the source alone. */
    @Override
    public String toString() {
      if (line == 0) {
        return source;
      }
      return index >= 0
          ? source + " [" + index + "] (line " + line + ")"
          : source + " line " + line;
    }
  }

  /**
   * A rejected document.
   *
   * @param orderUid the uid, empty if it could not be read
   * @param violations the validator's violations, or one without a path saying why the document is
   *     unreadable or conflicts
   */
  record Rejection(Origin origin, Outcome outcome, String orderUid, List<Violation> violations) {}

  private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
  private final List<Rejection> rejections = new ArrayList<>();
  private final Consumer<Rejection> onRejection;

  /** A tally that keeps the rejected documents for {@link #print}. */
  Tally() {
    this.onRejection = rejections::add;
  }

  /** A tally that hands each rejected document to {@code onRejection} and keeps none. */
  Tally(Consumer<Rejection> onRejection) {
    this.onRejection = onRejection;
  }

  void count(Outcome outcome, Origin origin, String orderUid, List<Violation> violations) {
    counts.merge(outcome, 1L, Long::sum);
    if (outcome.rejected()) {
      onRejection.accept(new Rejection(origin, outcome, orderUid, List.copyOf(violations)));
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

  /** {@code path: reason; ...}, a violation without a path as its reason alone. */
  static String describe(List<Violation> violations) {
    return violations.stream()
        .map(v -> v.path().isEmpty() ? v.reason() : v.toString())
        .collect(Collectors.joining("; "));
  }

  /**
   * Prints {@code shown} counts on one line, e.g. {@code 9700 inserted, 0 duplicates, 0 conflicts,
   * 300 invalid}, then one line per rejected document.
   */
  void print(PrintWriter out, List<Outcome> shown) {
    out.println(
        shown.stream()
            .map(o -> String.format(Locale.ROOT, "%d %s", count(o), o.label))
            .collect(Collectors.joining(", ")));
    for (Rejection r : rejections) {
      out.println(line(r));
    }
    out.flush();
  }

  /** {@code invalid FILE line N (order_uid U): path: reason; ...}: one rejected document. */
  static String line(Rejection r) {
    String uid = r.orderUid().isEmpty() ? "" : " (order_uid " + r.orderUid() + ")";
    return String.format(
        Locale.ROOT,
        "%-8s %s%s: %s",
        r.outcome() == Outcome.CONFLICT ? "conflict" : "invalid",
        r.origin(),
        uid,
        describe(r.violations()));
  }
}
