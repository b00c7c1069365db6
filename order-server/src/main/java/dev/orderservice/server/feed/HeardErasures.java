package dev.orderservice.server.feed;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The erased orders this instance's listener has heard of lately, so that the instance that erased
 * them can answer once PostgreSQL has told every listener (they hear a notification at the same
 * moment): then a lookup on any instance right after the answer finds the erased document, not a
 * cached one. Notifications arrive in commit order, so the last order an erasure changed stands for
 * all of them. Remembers the last {@value #REMEMBERED} uids. Thread safe.
 */
public final class HeardErasures {

  static final int REMEMBERED = 100_000;

  private final Set<String> heard = new LinkedHashSet<>();

  /** The listener heard of these erased or deleted orders. */
  synchronized void heard(Iterable<String> orderUids) {
    for (String uid : orderUids) {
      heard.remove(uid);
      heard.add(uid);
      if (heard.size() > REMEMBERED) {
        heard.remove(heard.iterator().next());
      }
    }
    notifyAll();
  }

  /**
   * Waits until the listener has heard of {@code orderUid}, for at most {@code patience}.
   *
   * @return whether it has
   */
  public synchronized boolean awaitHeard(String orderUid, Duration patience)
      throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!heard.contains(orderUid)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
