package iota.orchestrator.topology;

import iota.orchestrator.model.StoreKey;
import iota.orchestrator.topics.Topics;

/**
 * Names of the topology's state stores, shared by the topology and the query layer. All are
 * persistent RocksDB key-value stores with changelogs, partitioned by resource type; their keys are
 * built and read by {@link StoreKey}. (Not {@code Stores}: that is Kafka's store factory, which the
 * topology uses beside these names.)
 */
public final class StoreNames {
  private StoreNames() {}

  /** {@code <Resource>/<resourceId>} -> instance id (UTF-8 string). */
  public static final String PLACEMENTS = "placements";
  /**
   * {@code <Resource>/<instanceId>/<resourceId>} -> empty string: the placements indexed by instance,
   * so one instance's ids are a prefix scan in id order rather than a walk over every placement of
   * the type. Written in the same processor call (the same transaction) as {@link #PLACEMENTS}.
   */
  public static final String INSTANCE_RESOURCES = "instance-resources";
  /** {@code <Resource>/<instanceId>} -> {@link InstanceState} JSON. */
  public static final String INSTANCES = "instances";
  /** {@code <Resource>} -> {@link TypeState} JSON: parameters, counters. */
  public static final String TYPES = "types";
  /** {@code <Resource>} -> {@code autoscale.ScalingReport} JSON bytes: what the type's scaling looks like. */
  public static final String SCALING = "scaling";
  /** {@code <Resource>} -> {@link ElasticState} JSON: the autoscaler's window, drained instances, pools awaiting Ready. */
  public static final String ELASTIC = "elastic";
  /** {@code <Resource>/<instanceId>} -> {@code placement.LoadEstimator.InstanceLoad} JSON: an instance's smoothed work. */
  public static final String LOAD_INSTANCES = "load-instances";
  /** {@code <Resource>/<resourceId>} -> the load weight of a resource that moved (JSON number); others weigh 1. */
  public static final String LOAD_WEIGHTS = "load-weights";
  /**
   * Global (every app instance holds all of it, read-only): {@code <Resource>} -> the executor's
   * last {@code orphans.OrphanReport} from {@link Topics#ORPHANS}.
   */
  public static final String ORPHANS = "orphans";
}
