package dev.orderservice.domain;

import java.util.Objects;

/**
 * What {@link OrderCodec#decode(byte[])} made of a document: an {@link Decoded order}, or a {@link
 * Failed failure} whose reason a producer can act on.
 */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Failed {

  /** The document was well-formed and had the order's shape. It may still be invalid. */
  record Decoded(Order order) implements DecodeResult {
    public Decoded {
      Objects.requireNonNull(order, "order");
    }
  }

  /**
   * The document could not be read as an order.
   *
   * @param reason where and what went wrong, e.g. {@code line 3, column 14: items[0].price:
   *     expected an integer}; it quotes no field values, so it is safe to log
   */
  record Failed(String reason) implements DecodeResult {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
