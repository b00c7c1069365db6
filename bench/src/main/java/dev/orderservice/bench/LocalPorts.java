package dev.orderservice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free ports on 127.0.0.1 for the servers a benchmark starts. Stateless; safe from any thread. */
final class LocalPorts {

  private LocalPorts() {}

  /**
   * A port that was free on 127.0.0.1 a moment ago. Another process may take it before the server
   * binds it; the benchmark then fails with the server's bind error, and a rerun picks another.
   */
  static int free() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
