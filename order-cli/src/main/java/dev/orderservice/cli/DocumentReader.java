package dev.orderservice.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts the order documents out of one input and hands each, as the bytes it was given in, to an
 * {@link OrderFeed}, with where it came from. Three shapes are recognised from the first bytes:
 *
 * <ul>
 *   <li>a JSON array ({@code [} first): each element is a document, its origin {@code NAME [i]};
 *   <li>NDJSON (the first non-blank line is a whole JSON value, or the second non-blank line
 *       starts with {@code {}): each non-blank line is a document, its origin {@code NAME line N}.
 *       A malformed line is one invalid document; reading goes on with the next line;
 *   <li>otherwise one or more JSON values, such as a single pretty-printed order: each is a
 *       document, its origin the line it starts on.
 * </ul>
 *
 * A syntax error in an array or in pretty-printed documents leaves no safe place to resume, so it
 * is reported as one invalid document and ends that input. Arrays and pretty-printed documents
 * are read into memory whole; NDJSON is streamed line by line in constant memory.
 */
final class DocumentReader {

  /** How far ahead the shape is sniffed: two lines, each up to the largest document. */
  private static final int SNIFF_LIMIT = 2 * 1024 * 1024 + 16;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxDocumentLength(-1).maxStringLength(Integer.MAX_VALUE).build())
      .build();

  private final String name;
  private final OrderFeed feed;
  private final int maxDocumentBytes;

  /**
   * @param name how origins name this input: the file name, or {@code -} for standard input
   * @param maxDocumentBytes the codec's limit: a longer NDJSON line is refused without being kept
   */
  DocumentReader(String name, OrderFeed feed, int maxDocumentBytes) {
    this.name = name;
    this.feed = feed;
    this.maxDocumentBytes = maxDocumentBytes;
  }

  /** Reads {@code input} to its end; does not close it. */
  void read(InputStream input) throws IOException {
    BufferedInputStream in = new BufferedInputStream(input, 1 << 16);
    in.mark(SNIFF_LIMIT);
    byte[] first = nextNonBlankLine(in);
    byte[] second = first == null ? null : nextNonBlankLine(in);
    in.reset();
    if (first == null) {
      return; // empty input: nothing to import
    }
    if (firstNonSpace(first) == '[') {
      readDocuments(in.readAllBytes(), true);
    } else if (isWholeValue(first) || (second != null && firstNonSpace(second) == '{')) {
      readLines(in);
    } else {
      readDocuments(in.readAllBytes(), false);
    }
  }

  private void readLines(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    long lineNumber = 0;
    boolean tooLong = false;
    int b;
    while (true) {
      b = in.read();
      if (b == '\n' || b == -1) {
        if (b == -1 && line.size() == 0 && !tooLong) {
          return;
        }
        lineNumber++;
        lineDone(line, lineNumber, tooLong);
        line.reset();
        tooLong = false;
        if (b == -1) {
          return;
        }
      } else if (line.size() > maxDocumentBytes) {
        tooLong = true;
      } else {
        line.write(b);
      }
    }
  }

  private void lineDone(ByteArrayOutputStream line, long lineNumber, boolean tooLong) {
    String origin = name + " line " + lineNumber;
    if (tooLong) {
      feed.unreadable(origin, "the document is over the limit of " + maxDocumentBytes + " bytes");
      return;
    }
    byte[] bytes = line.toByteArray();
    if (firstNonSpace(bytes) == -1) {
      return; // blank lines (and a trailing \r alone) separate nothing
    }
    feed.document(origin, bytes);
  }

  private void readDocuments(byte[] bytes, boolean array) throws IOException {
    String origin = name + " line 1";
    try (JsonParser p = JSON.createParser(bytes)) {
      if (array) {
        p.nextToken(); // [
      }
      int index = 0;
      JsonToken token;
      while ((token = p.nextToken()) != null) {
        if (array && token == JsonToken.END_ARRAY) {
          if (p.nextToken() != null) {
            feed.unreadable(name + " line " + p.currentTokenLocation().getLineNr(),
                "unexpected content after the end of the array");
          }
          return;
        }
        JsonLocation start = p.currentTokenLocation();
        origin = array
            ? name + " [" + index + "] (line " + start.getLineNr() + ")"
            : name + " line " + start.getLineNr();
        p.skipChildren();
        p.finishToken();
        int from = (int) start.getByteOffset();
        int to = (int) p.currentLocation().getByteOffset();
        feed.document(origin, Arrays.copyOfRange(bytes, from, to));
        index++;
      }
      if (array) {
        feed.unreadable(origin, "the array is not closed: expected ']' before the end of the input");
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr()
          + ": ";
      feed.unreadable(origin, where + OrderCli.oneLine(e.getOriginalMessage())
          + "; the rest of " + name + " cannot be read");
    }
  }

  /** The next line that is not blank, without its newline; null at the end or past the limit. */
  private static byte[] nextNonBlankLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int read = 0;
    int b;
    while ((b = in.read()) != -1 && ++read < SNIFF_LIMIT / 2) {
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
