package iota.orchestrator.model;

import java.util.Arrays;

/**
 * A growable byte buffer that writes JSON tokens, for the few hot documents written by hand
 * ({@link AssignmentJson}, {@link EncodedIds}). Strings of printable ASCII without quote or
 * backslash (nearly all ids) are copied byte for byte; any other string is written by databind
 * ({@link Json#bytes}), so the bytes are always databind's own.
 */
final class JsonOut {
  private byte[] buf;
  private int n;

  JsonOut(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  int size() {
    return n;
  }

  private void ensure(int more) {
    if (n + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
    }
  }

  /** Appends text known to be plain ASCII that needs no escaping. */
  JsonOut ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[n++] = (byte) s.charAt(i);
    }
    return this;
  }

  JsonOut comma() {
    ensure(1);
    buf[n++] = ',';
    return this;
  }

  JsonOut number(long v) {
    return ascii(Long.toString(v));
  }

  JsonOut raw(byte[] bytes, int from, int to) {
    ensure(to - from);
    System.arraycopy(bytes, from, buf, n, to - from);
    n += to - from;
    return this;
  }

  /** Appends {@code s} as a JSON string. */
  JsonOut string(String s) {
    if (!isPlain(s)) {
      return generated(s);
    }
    int len = s.length();
    ensure(len + 2);
    buf[n++] = '"';
    for (int i = 0; i < len; i++) {
      buf[n++] = (byte) s.charAt(i);
    }
    buf[n++] = '"';
    return this;
  }

  /**
   * How many bytes {@link #string} appends for {@code s}, quotes included. It follows the same two
   * paths as {@link #string}, so whatever databind does with other strings (escape non-ASCII or
   * write it as UTF-8), this length is the written one.
   */
  static int stringLength(String s) {
    return isPlain(s) ? s.length() + 2 : Json.bytes(s).length;
  }

  /** Printable ASCII without quote or backslash: written byte for byte. */
  private static boolean isPlain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private JsonOut generated(String s) {
    byte[] quoted = Json.bytes(s);
    return raw(quoted, 0, quoted.length);
  }

  byte[] bytes() {
    return Arrays.copyOf(buf, n);
  }

  /** The buffer itself, valid up to {@link #size()}; the caller takes it over. */
  byte[] buffer() {
    return buf;
  }
}
