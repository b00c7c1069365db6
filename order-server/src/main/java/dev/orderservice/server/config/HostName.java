package dev.orderservice.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * The name of the host this server runs on, as a part of ids that tell instances apart (the Kafka
 * static member id): the {@code HOSTNAME} variable when set (containers set it), else what the
 * system resolver says, else {@code localhost}. Characters other than {@code [A-Za-z0-9._-]} become
 * {@code -}. Stateless.
 */
final class HostName {

  private HostName() {}

  static String local(Map<String, String> env) {
    String name = env.get("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        name = "localhost";
      }
    }
    String safe = name.strip().replaceAll("[^A-Za-z0-9._-]", "-");
    return safe.isEmpty() ? "localhost" : safe.substring(0, Math.min(200, safe.length()));
  }
}
