package dev.orderservice.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Cuts the order documents out of one input, the one reader every way in shares (the HTTP API,
 * the command line), so that a document and its position mean the same everywhere. Three shapes
 * are recognised from the first bytes:
 *
 * <ul>
 *   <li>a JSON array ({@code [} first): each element is a document, with its index;
 *   <li>NDJSON (the first non-blank line is a whole JSON value, or the second non-blank line starts
 *       with {@code {}): each non-blank line is a document. A line over the size limit is one
 *       unreadable document; reading goes on with the next line;
 *   <li>otherwise one or more JSON values, such as a single pretty-printed order: each is a
 *       document.
 * </ul>
 *
 * <p>Each document keeps the bytes it had in the input and where it starts there (line and
 * column). A syntax error inside an array or a pretty-printed document leaves no safe place to
 * resume: it is reported as one unreadable document, at its position in the input, and ends the
 * input. Arrays and pretty-printed documents are read into memory whole; NDJSON is streamed line by
 * line in constant memory. Stateless and thread safe.
 */
public final class OrderDocuments {

  /** How far ahead the shape is sniffed: two lines, each up to the largest document. */
  private static final int SNIFF_EXTRA = 16;

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxDocumentLength(-1)
                  .maxStringLength(Integer.MAX_VALUE)
                  .build())
          .build();

  private OrderDocuments() {}

  /**
   * Reads {@code input} to its end, handing each document to {@code sink} as it is cut out; does
   * not close the input.
   *
   * @param maxDocumentBytes the codec's limit: a longer NDJSON line is refused without being kept
   * @throws IOException if reading the input fails (not for what it contains)
   */
  public static void read(InputStream input, int maxDocumentBytes, Consumer<OrderDocument> sink)
      throws IOException {
    int sniffLimit = 2 * maxDocumentBytes + SNIFF_EXTRA;
    BufferedInputStream in = new BufferedInputStream(input, 1 << 16);
    in.mark(sniffLimit);
    byte[] first = nextNonBlankLine(in, sniffLimit / 2);
    byte[] second = first == null ? null : nextNonBlankLine(in, sniffLimit / 2);
    in.reset();
    if (first == null) {
      return; // nothing in it: no documents
    }
    if (firstNonSpace(first) == '[') {
      readValues(in.readAllBytes(), true, sink);
    } else if (isWholeValue(first) || (second != null && firstNonSpace(second) == '{')) {
      readLines(in, maxDocumentBytes, sink);
    } else {
      readValues(in.readAllBytes(), false, sink);
    }
  }

  /** The documents of an input held in memory, such as a request body. */
  public static List<OrderDocument> read(byte[] input, int maxDocumentBytes) {
    List<OrderDocument> documents = new ArrayList<>();
    try {
      read(new ByteArrayInputStream(input), maxDocumentBytes, documents::add);
    } catch (IOException e) {
      throw new IllegalStateException("reading a byte array does no I/O", e);
    }
    return documents;
  }

  /** Whether the input's first non-blank byte opens a JSON array. */
  public static boolean isArray(byte[] input) {
    return firstNonSpace(input) == '[';
  }

  /**
   * Cuts lines out of 64 KiB chunks: a scan for newlines and one copy per line, no per-byte calls
   * (a line-at-a-time reader of a gigabyte would otherwise spend most of its time in them).
   */
  private static void readLines(InputStream in, int maxDocumentBytes, Consumer<OrderDocument> sink)
      throws IOException {
    byte[] chunk = new byte[1 << 16];
    LineBuffer line = new LineBuffer(maxDocumentBytes);
    long lineNumber = 0;
    int n;
    while ((n = in.read(chunk)) != -1) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (chunk[i] == '\n') {
          line.append(chunk, start, i - start);
          lineDone(line, ++lineNumber, maxDocumentBytes, sink);
          start = i + 1;
        }
      }
      line.append(chunk, start, n - start);
    }
    if (!line.isEmpty()) {
      lineDone(line, ++lineNumber, maxDocumentBytes, sink);
    }
  }

  /** The bytes of the line being read, or only the fact that it is over the limit. */
  private static final class LineBuffer {
    private final int limit;
    private byte[] bytes = new byte[4096];
    private int length;
    private boolean tooLong;

    LineBuffer(int maxDocumentBytes) {
      this.limit = maxDocumentBytes + 1; // room for a \r before the \n
    }

    void append(byte[] from, int offset, int count) {
      if (tooLong || count == 0) {
        return;
      }
      if (length + count > limit) {
        tooLong = true; // the rest of the line is skipped, not kept
        length = 0;
        return;
      }
      if (length + count > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(length + count, 2 * bytes.length)));
      }
      System.arraycopy(from, offset, bytes, length, count);
      length += count;
    }

    boolean isEmpty() {
      return length == 0 && !tooLong;
    }

    /** The line without a trailing \r, and the buffer emptied for the next. */
    byte[] take() {
      int end = length > 0 && bytes[length - 1] == '\r' ? length - 1 : length;
      byte[] line = Arrays.copyOf(bytes, end);
      length = 0;
      return line;
    }

    /** Whether the line was over the limit; if so the buffer is emptied for the next. */
    boolean takeTooLong() {
      if (!tooLong) {
        return false;
      }
      tooLong = false;
      length = 0;
      return true;
    }
  }

  private static void lineDone(
      LineBuffer line, long lineNumber, int maxDocumentBytes, Consumer<OrderDocument> sink) {
    if (line.takeTooLong()) {
      sink.accept(
          new OrderDocument(
              new byte[0],
              lineNumber,
              1,
              -1,
              Optional.of(
                  new DecodeResult.Failed(
                      "the document is over the limit of " + maxDocumentBytes + " bytes"))));
      return;
    }
    byte[] bytes = line.take();
    if (firstNonSpace(bytes) == -1) {
      return; // blank lines separate nothing
    }
    sink.accept(new OrderDocument(bytes, lineNumber, 1, -1, Optional.empty()));
  }

  private static void readValues(byte[] bytes, boolean array, Consumer<OrderDocument> sink)
      throws IOException {
    int index = 0;
    // Ill-formed UTF-8 in a string is the document's fault, which decoding it reports with the
    // string's path; cutting reads past it, each byte where it was.
    try (JsonParser p = JSON.createParser(UnicodeText.readable(bytes))) {
      if (array) {
        p.nextToken(); // [
      }
      JsonToken token;
      while ((token = p.nextToken()) != null) {
        if (array && token == JsonToken.END_ARRAY) {
          if (p.nextToken() != null) {
            JsonLocation at = p.currentTokenLocation();
            sink.accept(
                unreadable(
                    at,
                    -1,
                    "unexpected content after the end of the array; the rest of the input cannot"
                        + " be read"));
          }
          return;
        }
        JsonLocation start = p.currentTokenLocation();
        p.skipChildren();
        p.finishToken();
        int from = (int) start.getByteOffset();
        int to = (int) p.currentLocation().getByteOffset();
        sink.accept(
            new OrderDocument(
                Arrays.copyOfRange(bytes, from, to),
                start.getLineNr(),
                start.getColumnNr(),
                array ? index : -1,
                Optional.empty()));
        index++;
      }
      if (array) {
        JsonLocation end = p.currentLocation();
        sink.accept(
            unreadable(
                end, index, "the array is not closed: expected ']' before the end of the input"));
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      sink.accept(
          unreadable(
              at,
              array ? index : -1,
              "the input is not well-formed JSON here; the rest of it cannot be read"));
    }
  }

  private static OrderDocument unreadable(JsonLocation at, int arrayIndex, String problem) {
    long line = at == null ? 0 : Math.max(0, at.getLineNr());
    long column = at == null ? 0 : Math.max(0, at.getColumnNr());
    return new OrderDocument(
        new byte[0],
        Math.max(1, line),
        Math.max(1, column),
        arrayIndex,
        Optional.of(new DecodeResult.Failed(problem, line, column)));
  }

  /** The next line that is not blank, without its newline; null at the end or past the limit. */
  private static byte[] nextNonBlankLine(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int read = 0;
    int b;
    while ((b = in.read()) != -1 && ++read < limit) {
      if (b == '\n') {
        if (firstNonSpace(line.toByteArray()) != -1) {
          return line.toByteArray();
        }
        line.reset();
      } else {
        line.write(b);
      }
    }
    byte[] last = line.toByteArray();
    return firstNonSpace(last) == -1 ? null : last;
  }

  private static boolean isWholeValue(byte[] line) {
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() == null) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  private static int firstNonSpace(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b;
      }
    }
    return -1;
  }
}
