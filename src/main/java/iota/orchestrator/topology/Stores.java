package iota.orchestrator.topology;

/**
 * Names of the topology's state stores, shared by the topology and the query layer. All are
 * persistent RocksDB key-value stores with changelogs, partitioned by resource type.
 */
public final class Stores {
  private Stores() {}

  /** {@code <Resource>/<resourceId>} -> instance id (UTF-8 string). */
  public static final String PLACEMENTS = "placements";
  /** {@code <Resource>/<instanceId>} -> {@link InstanceState} JSON. */
  public static final String INSTANCES = "instances";
  /** {@code <Resource>} -> {@link TypeState} JSON: parameters, counters. */
  public static final String TYPES = "types";
  /**
   * Global (every app instance holds all of it, read-only): {@code <Resource>} -> the executor's
   * last {@code orphans.OrphanReport} from {@link Topics#ORPHANS}.
   */
  public static final String ORPHANS = "orphans";
}
