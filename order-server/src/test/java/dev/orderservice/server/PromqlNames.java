package dev.orderservice.server;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The metric names a PromQL expression selects, for tests that check alert rules and dashboards
 * against a real scrape. A tokenizer rather than a parser: string literals, label matchers {@code
 * {...}}, ranges and subqueries {@code [...]}, comments, numbers and durations are skipped; an
 * identifier followed by {@code (} is a function or aggregation, and so is one followed by {@code
 * by} or {@code without}; the label lists of {@code by}, {@code without}, {@code on}, {@code
 * ignoring}, {@code group_left} and {@code group_right} are skipped; keywords and Grafana's {@code
 * $variables} are dropped. Every identifier left is a metric name. It does not validate the
 * expression: promtool does that for the rules.
 */
final class PromqlNames {

  /** Keywords whose parenthesised list that follows holds label names, not expressions. */
  private static final Set<String> LABEL_LIST_KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "atan2",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan");

  private final String text;
  private int at;

  private PromqlNames(String text) {
    this.text = text;
  }

  /** The metric names {@code expression} selects, in order of first appearance. */
  static Set<String> in(String expression) {
    return new PromqlNames(expression).names();
  }

  private Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c == '"' || c == '\'' || c == '`') {
        skipString();
      } else if (c == '{') {
        skipBracketed('{', '}');
      } else if (c == '[') {
        skipBracketed('[', ']');
      } else if (c == '#') {
        skipComment();
      } else if (c == '$') {
        skipVariable();
      } else if (Character.isDigit(c) || (c == '.' && isDigitAt(at + 1))) {
        skipNumber();
      } else if (isIdentifierStart(c)) {
        identifier(names);
      } else {
        at++;
      }
    }
    return names;
  }

  /** An identifier: a function, a keyword (with its label list), or a metric name. */
  private void identifier(Set<String> names) {
    int start = at;
    while (at < text.length() && isIdentifierPart(text.charAt(at))) {
      at++;
    }
    String word = text.substring(start, at);
    String keyword = word.toLowerCase(Locale.ROOT);
    boolean parenthesisFollows = nextNonSpace() == '(';
    if (LABEL_LIST_KEYWORDS.contains(keyword)) {
      if (parenthesisFollows) {
        skipWhitespace();
        skipBracketed('(', ')');
      }
    } else if (!parenthesisFollows && !groupingFollows() && !KEYWORDS.contains(keyword)) {
      names.add(word);
    }
  }

  /**
   * Whether {@code by} or {@code without} comes next: only an aggregation ({@code sum by (le)
   * (...)}) is followed by one before its parenthesis, so the word before it is no name.
   */
  private boolean groupingFollows() {
    int start = at;
    while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    int end = start;
    while (end < text.length() && isIdentifierPart(text.charAt(end))) {
      end++;
    }
    String next = text.substring(start, end).toLowerCase(Locale.ROOT);
    return next.equals("by") || next.equals("without");
  }

  /** Skips from an opening bracket to its match, strings inside included (they may hold one). */
  private void skipBracketed(char open, char close) {
    int depth = 0;
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c == '"' || c == '\'' || c == '`') {
        skipString();
        continue;
      }
      at++;
      if (c == open) {
        depth++;
      } else if (c == close && --depth == 0) {
        return;
      }
    }
  }

  /** A string in double or single quotes (backslash escapes) or backticks (raw). */
  private void skipString() {
    char quote = text.charAt(at++);
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '\\' && quote != '`') {
        at++;
      } else if (c == quote) {
        return;
      }
    }
  }

  private void skipComment() {
    while (at < text.length() && text.charAt(at) != '\n') {
      at++;
    }
  }

  /** Grafana's {@code $name}, {@code ${name}} and {@code ${name:format}}. */
  private void skipVariable() {
    at++;
    if (at < text.length() && text.charAt(at) == '{') {
      skipBracketed('{', '}');
      return;
    }
    while (at < text.length() && isIdentifierPart(text.charAt(at))) {
      at++;
    }
  }

  /**
   * Numbers and durations: {@code 0.99}, {@code 1e3}, {@code 0x1F}, {@code 5m}, {@code 1h30m}. The
   * sign of an exponent splits the token, which leaves two numbers: still no name.
   */
  private void skipNumber() {
    while (at < text.length()
        && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '.')) {
      at++;
    }
  }

  private void skipWhitespace() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private char nextNonSpace() {
    int i = at;
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i < text.length() ? text.charAt(i) : 0;
  }

  private boolean isDigitAt(int i) {
    return i < text.length() && Character.isDigit(text.charAt(i));
  }

  private static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isIdentifierPart(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9');
  }
}
