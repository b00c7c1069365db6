package dev.orderservice.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * One order document as {@link OrderDocuments} cut it out of an input (or as a caller has it:
 * {@link #of}), with where it starts in that input, so that a failure to read it can say where in
 * the input it is.
 *
 * @param json the document's bytes, exactly as in the input
 * @param line the line of the input the document starts on, 1-based
 * @param column the column it starts at on that line, 1-based
 * @param arrayIndex its index when the input is a JSON array of documents, else -1
 * @param unreadable set when the document could not even be cut out of the input (a syntax error in
 *     an array, a line over the size limit); {@code json} is then what could be read of it
 */
public record OrderDocument(
    byte[] json, long line, long column, int arrayIndex, Optional<DecodeResult.Failed> unreadable) {

  public OrderDocument {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(unreadable, "unreadable");
  }

  /** A whole input that is one document, such as a Kafka record's value or an uploaded file. */
  public static OrderDocument of(byte[] json) {
    return new OrderDocument(json, 1, 1, -1, Optional.empty());
  }

  /** Where the document starts: {@code line 12}, or {@code [3] (line 12)} in an array. */
  public String where() {
    return arrayIndex >= 0 ? "[" + arrayIndex + "] (line " + line + ")" : "line " + line;
  }
}
