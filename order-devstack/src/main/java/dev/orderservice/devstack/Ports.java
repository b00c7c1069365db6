package dev.orderservice.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback port helpers. Stateless; safe from any thread. */
final class Ports {

  static final String LOOPBACK = "127.0.0.1";

  private Ports() {}

  /**
   * A port that was free on 127.0.0.1 a moment ago. There is an unavoidable window before the
   * server binds it; callers that picked the port themselves retry with a new one on a bind failure
   * rather than pretend the window does not exist.
   */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      // No SO_REUSEADDR: we want a port nobody is using, not one in TIME_WAIT we could steal.
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not find a free port on " + LOOPBACK, e);
    }
  }

  /**
   * Whether {@code port} can be bound on 127.0.0.1 right now (same caveat as {@link #freePort()}).
   */
  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // SO_REUSEADDR as servers set it: a port in TIME_WAIT is usable, one with a listener is not.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int requireValid(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          "port must be 0 (pick a free one) or 1..65535, was " + port);
    }
    return port;
  }
}
