package dev.orderservice.server.lifecycle;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The server's Prometheus registry, with the JVM's and the process's own meters. */
public final class ProcessMeters {

  private ProcessMeters() {}

  /** A new registry; {@code lifecycle} closes it (and the GC meters' listeners) last. */
  public static PrometheusMeterRegistry start(Lifecycle lifecycle) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(meters);
    new JvmMemoryMetrics().bindTo(meters);
    JvmGcMetrics gcMeters = new JvmGcMetrics();
    gcMeters.bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    new FileDescriptorMetrics().bindTo(meters);
    lifecycle.onClose(
        "close the meters",
        () -> {
          gcMeters.close();
          meters.close();
        });
    return meters;
  }
}
