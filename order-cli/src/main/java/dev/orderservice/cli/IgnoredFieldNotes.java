package dev.orderservice.cli;

import dev.orderservice.domain.OrderService;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * With {@code --unknown-fields ignore}: notes each unknown field name once on stderr, the first
 * time an order has it, so that a run says what it left out. At most {@value #MAX_NAMES} names are
 * noted; a producer sending ever new names gets one note that says so. Thread safe.
 */
final class IgnoredFieldNotes implements OrderService.IgnoredFields {

  static final int MAX_NAMES = 100;

  private final PrintWriter err;
  private final Set<String> noted = ConcurrentHashMap.newKeySet();

  IgnoredFieldNotes(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void ignored(String fieldPath) {
    if (noted.size() >= MAX_NAMES || !noted.add(fieldPath)) {
      return;
    }
    if (noted.size() == MAX_NAMES) {
      err.println(
          "note: ignored unknown field "
              + fieldPath
              + "; "
              + MAX_NAMES
              + " names noted, further ones are ignored without a note");
    } else {
      err.println("note: ignored unknown field " + fieldPath + " (--unknown-fields ignore)");
    }
    err.flush();
  }
}
