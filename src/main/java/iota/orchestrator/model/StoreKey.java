package iota.orchestrator.model;

/**
 * A key of the state stores and of the per-instance topics: {@code <Resource>/<id>}, where the id
 * is a resource id (placements) or an instance id (instances; the assignments, pod-commands and
 * pod-status topics). The instance-resources index adds the resource id after the instance id
 * ({@link Indexed}). Built and read here only: these bytes are what the stores and their
 * changelogs hold, so a replay and a restored store depend on them never changing.
 *
 * <p>Neither a resource type nor an id may contain {@code /} ({@link Ids}), so the slashes split
 * the parts unambiguously, and every key of one type starts with {@link #typePrefix}, which is
 * what the stores' prefix scans by type rely on.
 */
public record StoreKey(String type, String id) {
  private static final char SEPARATOR = '/';

  /** The key of {@code id} of {@code type}, as stored. */
  public static String of(String type, String id) {
    return type + SEPARATOR + id;
  }

  /** The key of instance {@code instanceId} of {@code type}, as stored. */
  public static String of(String type, int instanceId) {
    return of(type, String.valueOf(instanceId));
  }

  /** What every key of {@code type} starts with, and nothing of another type does. */
  public static String typePrefix(String type) {
    return type + SEPARATOR;
  }

  /** The type of a key, or the whole key when it has no separator. */
  public static String typeOf(String key) {
    int slash = key.indexOf(SEPARATOR);
    return slash < 0 ? key : key.substring(0, slash);
  }

  /**
   * Reads a key made by {@link #of}. The parts are not validated: a key from outside (a topic's)
   * needs its parts checked as {@link Ids} and {@link InstanceIds} say.
   *
   * @throws InvalidRecordException when the key does not have exactly one separator
   */
  public static StoreKey parse(String key) {
    int slash = key.indexOf(SEPARATOR);
    if (slash < 0 || key.indexOf(SEPARATOR, slash + 1) >= 0) {
      throw new InvalidRecordException("key must be <Resource>/<id>");
    }
    return new StoreKey(key.substring(0, slash), key.substring(slash + 1));
  }

  /** The id read as an instance id ({@link InstanceIds#parse}: throws when it is not one). */
  public int instanceId() {
    return InstanceIds.parse(id);
  }

  @Override
  public String toString() {
    return of(type, id);
  }

  /**
   * A key of the instance-resources index, {@code <Resource>/<instanceId>/<resourceId>}: one
   * instance's resources are a prefix scan ({@link #prefix}) in resource id order.
   */
  public record Indexed(String type, String instanceId, String resourceId) {

    /** The index key of {@code resourceId} placed on {@code instanceId}, as stored. */
    public static String of(String type, String instanceId, String resourceId) {
      return prefix(type, instanceId) + resourceId;
    }

    /** What every index key of one instance starts with, and nothing of another instance does. */
    public static String prefix(String type, String instanceId) {
      return StoreKey.of(type, instanceId) + SEPARATOR;
    }

    /**
     * Reads a key made by {@link #of}.
     *
     * @throws InvalidRecordException when the key does not have exactly two separators
     */
    public static Indexed parse(String key) {
      int first = key.indexOf(SEPARATOR);
      int second = first < 0 ? -1 : key.indexOf(SEPARATOR, first + 1);
      if (second < 0 || key.indexOf(SEPARATOR, second + 1) >= 0) {
        throw new InvalidRecordException("index key must be <Resource>/<instanceId>/<resourceId>");
      }
      return new Indexed(key.substring(0, first), key.substring(first + 1, second), key.substring(second + 1));
    }

    @Override
    public String toString() {
      return of(type, instanceId, resourceId);
    }
  }
}
