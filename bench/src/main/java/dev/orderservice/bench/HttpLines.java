package dev.orderservice.bench;

import java.io.IOException;
import java.io.InputStream;

/** The lines of an HTTP/1.1 response read over a plain socket: status, headers, chunk sizes. */
final class HttpLines {

  private HttpLines() {}

  /** The next line, without its CR LF. */
  static String read(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the server closed the connection");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  /** The size of the next chunk of a chunked body. */
  static int chunkSize(InputStream in) throws IOException {
    return Integer.parseInt(read(in).split(";")[0].trim(), 16);
  }
}
