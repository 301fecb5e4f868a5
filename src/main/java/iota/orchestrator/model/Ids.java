package iota.orchestrator.model;

import java.util.Locale;

/**
 * The one definition of a usable identifier: resource ids, table and type names, request ids. Ids
 * come from outside and end up in store keys, JSON znode data, pod labels and log lines, so every
 * parser at the edge checks them here, whatever their JSON type, and the executor checks what it
 * reads with the same rules: nothing the topology accepted is refused downstream.
 *
 * <p>A usable id is non-empty, at most {@value #MAX_BYTES} bytes of UTF-8 (bytes, not UTF-16
 * units: what the stores, Kafka and ZooKeeper hold), not {@code .} or {@code ..}, and contains no
 * {@code /}, no control character, no bidirectional formatting character (it would make a log line
 * or the dashboard show a different id than the one stored) and no lone surrogate (it has no UTF-8
 * form: encoders write {@code ?} for it, so {@code a\uD800} and {@code a?} would share a key).
 */
public final class Ids {
  /** Largest id in bytes of UTF-8. */
  public static final int MAX_BYTES = 128;

  private Ids() {}

  /** Returns {@code value} when it is a usable id, else throws with a reason naming {@code field}. */
  public static String require(String field, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw new InvalidRecordException(field + " " + problem);
    }
    return value;
  }

  /** The reason {@code value} is not a usable id, or null when it is. */
  public static String problem(String value) {
    if (value == null) {
      return "is missing";
    }
    if (value.isEmpty()) {
      return "is empty";
    }
    // Cheap bound first: every UTF-16 unit is at least one byte.
    if (value.length() > MAX_BYTES || utf8Length(value) > MAX_BYTES) {
      return "is longer than " + MAX_BYTES + " bytes of UTF-8";
    }
    if (value.equals(".") || value.equals("..")) {
      return "must not be '" + value + "'";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/') {
        return "must not contain '/'";
      }
      if (Character.isISOControl(c)) {
        return "must not contain control characters";
      }
      if (isBidiControl(c)) {
        return "must not contain bidirectional formatting characters (U+" + Integer.toHexString(c).toUpperCase(Locale.ROOT) + ")";
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "must not contain a lone surrogate (U+" + Integer.toHexString(c).toUpperCase(Locale.ROOT) + ")";
      }
    }
    return null;
  }

  /** The length of {@code s} in UTF-8, a lone surrogate counting as the one byte encoders write for it. */
  public static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Marks and embeddings/overrides/isolates of the Unicode bidirectional algorithm. */
  private static boolean isBidiControl(char c) {
    return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F' || c == '\u061C';
  }
}
