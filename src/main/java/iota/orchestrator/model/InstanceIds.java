package iota.orchestrator.model;

/** Instance ids are small non-negative integers written in decimal without leading zeros. */
public final class InstanceIds {
  /** Far above any real pool; keeps ids short enough for pod names. */
  public static final int MAX = 100_000;

  private InstanceIds() {}

  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > 6) {
      return false;
    }
    if (id.length() > 1 && id.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) < '0' || id.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(id) < MAX;
  }

  public static int parse(String id) {
    if (!isValid(id)) {
      throw new InvalidRecordException("instanceId '" + HeartBeat.abbreviate(id) + "' is not an instance id");
    }
    return Integer.parseInt(id);
  }
}
