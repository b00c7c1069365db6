package dev.orderservice.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long command on stderr. On a terminal: one line redrawn in place with {@code \r} (a
 * bar when the total is known, the count and the rate). Otherwise: a plain line every two seconds
 * or every 10,000 items, so logs of scripted runs stay short. Used by one thread.
 */
final class Progress {

  private static final long PLAIN_EVERY_NANOS = 2_000_000_000L;
  private static final long PLAIN_EVERY_ITEMS = 10_000;
  private static final long REDRAW_EVERY_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final String what;
  private final LongSupplier done;
  private final long total;
  private final long startNanos = System.nanoTime();
  private long items;
  private long lastPrintNanos = startNanos;
  private long lastPrintItems;
  private boolean drawn;

  /**
   * @param what the unit and verb, e.g. {@code "orders imported"}
   * @param done how far along the work is, in the unit of {@code total} (bytes read); null to
   *     measure it in items
   * @param total the end of {@code done}, or 0 if unknown (no bar then)
   */
  Progress(PrintWriter err, boolean terminal, String what, LongSupplier done, long total) {
    this.err = err;
    this.terminal = terminal;
    this.what = what;
    this.done = done;
    this.total = total;
  }

  /** A progress measured in the items counted by {@link #advance}, with a known total or 0. */
  static Progress ofItems(PrintWriter err, boolean terminal, String what, long total) {
    return new Progress(err, terminal, what, null, total);
  }

  /** {@code n} more items are done. */
  void advance(long n) {
    items += n;
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastPrintNanos >= REDRAW_EVERY_NANOS) {
        err.print('\r' + line(now));
        err.flush();
        drawn = true;
        lastPrintNanos = now;
      }
    } else if (now - lastPrintNanos >= PLAIN_EVERY_NANOS
        || items - lastPrintItems >= PLAIN_EVERY_ITEMS) {
      err.println(line(now));
      err.flush();
      lastPrintNanos = now;
      lastPrintItems = items;
    }
  }

  /** Clears the redrawn line, so the summary starts on a clean one. */
  void finish() {
    if (terminal && drawn) {
      err.print('\r' + line(System.nanoTime()) + System.lineSeparator());
      err.flush();
    }
  }

  long items() {
    return items;
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private String line(long now) {
    double seconds = Math.max((now - startNanos) / 1e9, 1e-3);
    String counts = String.format(Locale.ROOT, "%,d %s, %,.0f/s", items, what, items / seconds);
    if (!terminal || total <= 0) {
      return counts;
    }
    double fraction = Math.min(1.0, (double) (done == null ? items : done.getAsLong()) / total);
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return String.format(
        Locale.ROOT,
        "[%s%s] %3.0f%% %s",
        "#".repeat(filled),
        " ".repeat(BAR_WIDTH - filled),
        fraction * 100,
        counts);
  }
}
