package dev.orderservice.domain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The repository's sample order ({@code samples/order.json}) as tests need it. */
final class SampleOrder {

  private SampleOrder() {}

  static byte[] bytes() {
    try (InputStream in = SampleOrder.class.getResourceAsStream("/samples/order.json")) {
      if (in == null) {
        throw new IllegalStateException("samples/order.json is not on the test classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Order order() {
    return ((DecodeResult.Decoded) OrderCodec.standard().decode(bytes())).order();
  }
}
