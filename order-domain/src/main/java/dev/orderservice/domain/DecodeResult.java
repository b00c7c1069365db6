package dev.orderservice.domain;

import java.util.List;
import java.util.Objects;

/**
 * What {@link OrderCodec#decode(byte[])} made of a document: an {@link Decoded order}, or a {@link
 * Failed failure} whose reason a producer can act on.
 */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Failed {

  /**
   * The document was well-formed and had the order's shape. It may still be invalid.
   *
   * @param order the order
   * @param ignoredFields the JSON paths of fields the model does not know that a lenient codec
   *     skipped (array indices as {@code []}, e.g. {@code items[].gift_wrap}), each path once;
   *     empty for a strict codec, which refuses them
   */
  record Decoded(Order order, List<String> ignoredFields) implements DecodeResult {
    public Decoded {
      Objects.requireNonNull(order, "order");
      ignoredFields = List.copyOf(ignoredFields);
    }

    public Decoded(Order order) {
      this(order, List.of());
    }
  }

  /**
   * The document could not be read as an order.
   *
   * @param problem what went wrong, e.g. {@code items[0].price: expected an integer}; it quotes no
   *     field values, so it is safe to log
   * @param line the line where it went wrong, 1-based; 0 when the failure has no position (an empty
   *     or oversized document)
   * @param column the column on that line, 1-based; 0 when there is no position
   */
  record Failed(String problem, long line, long column) implements DecodeResult {
    public Failed {
      Objects.requireNonNull(problem, "problem");
    }

    /** A failure without a position. */
    public Failed(String problem) {
      this(problem, 0, 0);
    }

    /**
     * Where and what, e.g. {@code line 3, column 14: items[0].price: expected an integer}, or the
     * problem alone when it has no position.
     */
    public String reason() {
      return line > 0 ? "line " + line + ", column " + column + ": " + problem : problem;
    }

    /**
     * The same failure with its position moved into an input that the document was cut from, where
     * the document starts at {@code startLine} and {@code startColumn} (both 1-based).
     */
    public Failed within(long startLine, long startColumn) {
      if (line == 0) {
        return this;
      }
      return new Failed(
          problem, startLine + line - 1, line == 1 ? startColumn + column - 1 : column);
    }
  }
}
