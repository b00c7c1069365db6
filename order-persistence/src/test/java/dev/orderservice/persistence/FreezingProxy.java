package dev.orderservice.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder on 127.0.0.1 to a local port, whose open connections can be made to go silent:
 * {@link #freezeOpenConnections()} stops forwarding their bytes either way without closing
 * anything, as a network that drops packets would. Connections accepted afterwards are forwarded
 * normally. For tests; closing it closes every connection.
 */
final class FreezingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int targetPort;
  private final List<Link> links = new ArrayList<>();

  FreezingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "freezing-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** From now on, no byte passes either way on the connections open now. */
  synchronized void freezeOpenConnections() {
    links.forEach(link -> link.frozen = true);
  }

  @Override
  public synchronized void close() throws IOException {
    server.close();
    for (Link link : links) {
      link.client.close();
      link.upstream.close();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        Link link = new Link(client, upstream);
        synchronized (this) {
          links.add(link);
        }
        pump(link, client.getInputStream(), upstream.getOutputStream());
        pump(link, upstream.getInputStream(), client.getOutputStream());
      } catch (IOException e) {
        // Closed, or the target refused: the client sees its connection end.
      }
    }
  }

  private static void pump(Link link, InputStream from, OutputStream to) {
    Thread pump =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try {
                int read;
                while ((read = from.read(buffer)) >= 0 && !link.frozen) {
                  to.write(buffer, 0, read);
                  to.flush();
                }
                if (!link.frozen) {
                  link.client.close();
                  link.upstream.close();
                }
              } catch (IOException e) {
                // Either side closed.
              }
            },
            "freezing-proxy-pump");
    pump.setDaemon(true);
    pump.start();
  }

  private static final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean frozen;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }
  }
}
