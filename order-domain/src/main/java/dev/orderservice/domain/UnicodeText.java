package dev.orderservice.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The rule of I-JSON (RFC 7493, section 2.1) that every string of a document, field names included,
 * is Unicode text encoded in UTF-8. JSON's own syntax lets an escape name half of a surrogate pair
 * alone (U+D800 in {@code "A\}{@code ud800B"}), and Jackson reads some ill-formed UTF-8 without a
 * word (an overlong form such as {@code C0 80} becomes U+0000, a sequence beyond U+10FFFF two lone
 * surrogates). Such a string is not text: PostgreSQL stores something else than what the canonical
 * JSON keeps, and the order served would not be the order stored. {@link OrderCodec} refuses the
 * document instead.
 *
 * <p>A document of well-formed UTF-8 without a {@code \}{@code u} escape of a surrogate (the common
 * case) is passed in one scan of its bytes; only a suspect one is parsed again to find the first
 * string that is not text, and its path. Stateless and thread safe.
 */
final class UnicodeText {

  /** What stands in for each byte of an ill-formed sequence while the document is parsed. */
  private static final byte STAND_IN = '?';

  private UnicodeText() {}

  /**
   * The first string of {@code json} that is not Unicode text, as the failure to report: its path
   * and why, never its value. Empty when every string is text, and when {@code json} is not JSON at
   * all, which the decoder then says.
   */
  static Optional<DecodeResult.Failed> check(byte[] json, JsonFactory factory) {
    int illFormed = firstIllFormed(json, 0);
    if (illFormed < 0 && !mayEscapeASurrogate(json)) {
      return Optional.empty();
    }
    try (JsonParser parser = factory.createParser(readable(json))) {
      return firstNonText(parser, illFormed);
    } catch (IOException e) {
      return Optional.empty(); // not JSON: the decoder reports where and why
    }
  }

  /** Whether {@code text} is Unicode text: every surrogate is half of a pair, in order. */
  static boolean isText(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads the strings and names in document order. A string that holds an ill-formed byte is the
   * last one that starts before it: stand-ins keep every byte where it was, and outside a string
   * they are not JSON, so the parse fails before reaching a string after it.
   */
  private static Optional<DecodeResult.Failed> firstNonText(JsonParser parser, int illFormed)
      throws IOException {
    Suspect last = null;
    JsonToken token;
    while ((token = next(parser)) != null) {
      if (token == JsonToken.NOT_AVAILABLE) {
        // Jackson refuses a lone surrogate escaped in a field name itself, before the name is read.
        String object = path(parser.getParsingContext().getParent());
        Suspect refused = new Suspect(object, true, parser.currentLocation());
        return Optional.of(
            illFormed >= 0 && last != null && illFormed < refused.at().getByteOffset()
                ? last.failed("invalid UTF-8")
                : refused.failed("a lone surrogate"));
      }
      boolean name = token == JsonToken.FIELD_NAME;
      if (!name && token != JsonToken.VALUE_STRING) {
        continue;
      }
      JsonLocation at = parser.currentTokenLocation();
      if (illFormed >= 0 && last != null && at.getByteOffset() > illFormed) {
        return Optional.of(last.failed("invalid UTF-8"));
      }
      JsonStreamContext context = parser.getParsingContext();
      last = new Suspect(path(name ? context.getParent() : context), name, at);
      if (!isText(name ? parser.currentName() : parser.getText())) {
        return Optional.of(last.failed("a lone surrogate"));
      }
    }
    return illFormed >= 0 && last != null
        ? Optional.of(last.failed("invalid UTF-8"))
        : Optional.empty();
  }

  /**
   * The next token; {@link JsonToken#NOT_AVAILABLE} where Jackson refuses a field name for a lone
   * surrogate escaped in it.
   */
  private static JsonToken next(JsonParser parser) throws IOException {
    try {
      return parser.nextToken();
    } catch (StreamReadException e) {
      String message = String.valueOf(e.getOriginalMessage());
      if (message.contains("surrogate") && message.contains("field name")) {
        return JsonToken.NOT_AVAILABLE;
      }
      throw e;
    }
  }

  /** A string or name that may be the one at fault: where it is and where it starts. */
  private record Suspect(String path, boolean name, JsonLocation at) {
    DecodeResult.Failed failed(String why) {
      String what = name ? "a field name is not Unicode text" : "is not Unicode text";
      String problem = (path.isEmpty() ? what : path + ": " + what) + " (" + why + ")";
      return new DecodeResult.Failed(problem, at.getLineNr(), at.getColumnNr());
    }
  }

  /** The path of a context, as the validator writes it: {@code items[0].name}. */
  private static String path(JsonStreamContext context) {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + c.getCurrentIndex() + "]");
      } else if (c.getCurrentName() != null) {
        parts.push("." + c.getCurrentName());
      }
    }
    String path = String.join("", parts);
    return path.startsWith(".") ? path.substring(1) : path;
  }

  /**
   * Whether a {@code \}{@code u} escape of a surrogate (U+D800 to U+DFFF) may be in {@code json}.
   * May say yes for text that only looks like one (an escaped backslash before {@code ud800}).
   */
  private static boolean mayEscapeASurrogate(byte[] json) {
    for (int i = 0; i + 3 < json.length; i++) {
      if (json[i] == '\\'
          && json[i + 1] == 'u'
          && (json[i + 2] | 0x20) == 'd'
          && "89abcdefABCDEF".indexOf(json[i + 3]) >= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code json} itself when it is well-formed UTF-8, else a copy with a stand-in for each byte of
   * every ill-formed sequence: the same JSON, each byte where it was, that Jackson reads through,
   * so that a document can be cut out of an input or a string found by its position.
   */
  static byte[] readable(byte[] json) {
    int illFormed = firstIllFormed(json, 0);
    if (illFormed < 0) {
      return json;
    }
    byte[] readable = json.clone();
    int i = illFormed;
    while (i < readable.length) {
      int bad = firstIllFormed(readable, i);
      if (bad < 0) {
        break;
      }
      readable[bad] = STAND_IN;
      i = bad + 1;
    }
    return readable;
  }

  /**
   * Where the first ill-formed UTF-8 sequence at or after {@code from} starts, or -1 (the
   * well-formed sequences of the Unicode Standard's table 3-7: no overlong form, no surrogate, none
   * beyond U+10FFFF).
   */
  static int firstIllFormed(byte[] bytes, int from) {
    int i = from;
    while (i < bytes.length) {
      if (bytes[i] >= 0) {
        i++;
        continue;
      }
      int length = wellFormedLength(bytes, i);
      if (length == 0) {
        return i;
      }
      i += length;
    }
    return -1;
  }

  /** The length of the well-formed multi-byte sequence at {@code i}; 0 if it is ill-formed. */
  private static int wellFormedLength(byte[] bytes, int i) {
    int lead = bytes[i] & 0xFF;
    int length;
    int low = 0x80;
    int high = 0xBF; // the range of the second byte; the others are always 80..BF
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      low = lead == 0xE0 ? 0xA0 : 0x80;
      high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      low = lead == 0xF0 ? 0x90 : 0x80;
      high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
      return 0;
    }
    if (i + length > bytes.length) {
      return 0;
    }
    int second = bytes[i + 1] & 0xFF;
    if (second < low || second > high) {
      return 0;
    }
    for (int k = 2; k < length; k++) {
      int next = bytes[i + k] & 0xFF;
      if (next < 0x80 || next > 0xBF) {
        return 0;
      }
    }
    return length;
  }
}
