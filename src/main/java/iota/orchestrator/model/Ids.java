package iota.orchestrator.model;

/**
 * Validation of identifiers that become ZooKeeper path segments, pod names and store keys.
 * Resource ids and table names come from outside, so they are checked before any use.
 */
public final class Ids {
  public static final int MAX_LENGTH = 128;

  private Ids() {}

  /**
   * Returns {@code value} when it is a usable id, else throws with a reason naming {@code field}:
   * non-empty, at most 128 characters, no {@code /}, no control characters, not "." or "..".
   */
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
    if (value.length() > MAX_LENGTH) {
      return "is longer than " + MAX_LENGTH + " characters";
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
    }
    return null;
  }
}
