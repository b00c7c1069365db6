package dev.orderservice.server.http;

import dev.orderservice.persistence.AuditLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * What this instance did to personal data, as the audit log records it: {@code
 * order_personal_data_actions_total{action}} (erasures and exports answered) and {@code
 * order_personal_data_orders_total{action}} (the orders they erased or exported). Thread safe.
 */
public final class PersonalDataMeters {

  private final Map<AuditLog.Action, Counter> actions = new EnumMap<>(AuditLog.Action.class);
  private final Map<AuditLog.Action, Counter> orders = new EnumMap<>(AuditLog.Action.class);

  public PersonalDataMeters(MeterRegistry registry) {
    for (AuditLog.Action action : AuditLog.Action.values()) {
      actions.put(
          action,
          Counter.builder("order.personal.data.actions")
              .description("Erasures, exports and retention runs this instance did (audit log).")
              .tag("action", action.label())
              .register(registry));
      orders.put(
          action,
          Counter.builder("order.personal.data.orders")
              .description("Orders this instance erased, exported or deleted (audit log).")
              .tag("action", action.label())
              .register(registry));
    }
  }

  /** Counts one action that touched {@code count} orders. */
  public void done(AuditLog.Action action, long count) {
    actions.get(action).increment();
    orders.get(action).increment(count);
  }
}
