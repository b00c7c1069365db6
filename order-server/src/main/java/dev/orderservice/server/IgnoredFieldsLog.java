package dev.orderservice.server;

import dev.orderservice.domain.OrderService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code UNKNOWN_FIELDS=ignore}: each field the codec skipped is logged once per name (the
 * first time an order has it, so producers' new fields are noticed) and counted in {@code
 * order_unknown_fields_total{field}}: orders read with the field (records redelivered after a crash
 * are read, and counted, again). Names are bounded: after {@value #MAX_NAMES} distinct ones,
 * further names are counted as {@code field="other"} and logged once together. Field names are the
 * model's keys a producer sent, never values. Thread safe.
 */
final class IgnoredFieldsLog implements OrderService.IgnoredFields {

  static final int MAX_NAMES = 100;
  private static final String OTHER = "other";
  private static final Logger LOG = LoggerFactory.getLogger(IgnoredFieldsLog.class);

  private final MeterRegistry registry;

  /** At most {@value #MAX_NAMES} names and "other" (a few more under a race): never per request. */
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  IgnoredFieldsLog(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void ignored(String fieldPath) {
    Counter counter = counters.get(fieldPath);
    if (counter == null) {
      String name = counters.size() < MAX_NAMES ? fieldPath : OTHER;
      counter = counters.computeIfAbsent(name, this::firstSeen);
    }
    counter.increment();
  }

  private Counter firstSeen(String name) {
    if (name.equals(OTHER)) {
      LOG.warn(
          "ignoring unknown fields of more than {} names; further names are counted as \"other\""
              + " and not logged",
          MAX_NAMES);
    } else {
      LOG.warn(
          "ignoring unknown field {} (UNKNOWN_FIELDS=ignore): orders are stored without it", name);
    }
    return Counter.builder("order.unknown.fields")
        .description("Fields the order model does not know, skipped with UNKNOWN_FIELDS=ignore.")
        .tag("field", name)
        .register(registry);
  }
}
