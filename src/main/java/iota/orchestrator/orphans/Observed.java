package iota.orchestrator.orphans;

/**
 * Something the executor found that the orchestrator may own: a pod carrying the managed-by label,
 * or a znode under the plan root.
 *
 * @param kind pod or znode
 * @param name the pod name, or the znode's full path
 * @param resource the resource type it claims (the pod's {@code iota.resource} label, the znode's
 *     type folder); null when it claims none
 * @param instanceId the instance it claims (the pod's {@code instanceId} label, the znode's name);
 *     null or not an instance id when it claims none
 * @param identity what tells this object from a later one of the same name: the pod UID, the
 *     znode's creation zxid. An object re-created under the same name is new, and its grace starts
 *     again.
 */
public record Observed(Kind kind, String name, String resource, String instanceId, String identity) {

  /** What was observed. */
  public enum Kind {
    pod,
    znode
  }

  /** The object's key in the first-seen bookkeeping. */
  public String key() {
    return kind + " " + name + " " + identity;
  }
}
