package iota.orchestrator.topology;

import iota.orchestrator.health.HeartbeatRule;
import iota.orchestrator.health.PodLife;
import iota.orchestrator.health.PodStartPolicy;
import iota.orchestrator.model.PodStatus;
import iota.orchestrator.placement.LoadEstimator;

/**
 * Value of the {@link StoreNames#INSTANCES} store: one instance of one resource type. Its resource ids
 * live in {@link StoreNames#PLACEMENTS}; this value stays small so heartbeats are cheap to record.
 *
 * @param count capacity
 * @param used number of resources placed on it
 * @param reload the {@code _reload.times} counter
 * @param seq the sequence number of its last change; it grows with every change and carries on
 *     across a removal (the removed marker keeps it), so an id that is reused never goes back
 * @param emittedSeq the {@code seq} last written to the assignments topic; {@code emittedSeq < seq}
 *     means a write is pending (it survives a crash, so no change is ever left unpublished)
 * @param removed the instance was deleted and its tombstone is pending
 * @param createdAt wall-clock ms when it was created (display only)
 * @param lastHeartbeat wall-clock ms of its last heartbeat, 0 when none yet
 * @param lastRecreate wall-clock ms of its last recreate command, 0 when none
 * @param recreates recreate commands issued for it
 * @param podPhase last observed pod phase, null when unknown
 * @param podUid last observed pod UID, null when unknown
 * @param podGone the pod was last seen deleted
 * @param podObservedAt wall-clock ms of the last pod status, 0 when none
 * @param startPending the pod of the last create or recreate has not yet been seen Running (nor
 *     has the instance sent a heartbeat since); {@link PodStartPolicy} times it out. False in states
 *     stored before the rule existed, so an upgrade never recreates a pod for an old start.
 * @param replacedUid UID of the pod the last recreate replaced: a Running status of that pod,
 *     arriving late, does not count as the new pod's start. Null when unknown or after a create.
 * @param lastRecreateReason why the last recreate command was issued, shown in the plan's health
 * @param loadBaseline the {@code used} of the last change that unsettled the instance's load ({@link
 *     LoadEstimator#unsettles}); 0 in states stored before it was kept
 * @param loadChangedAt the timestamp of the record that made that change: a usage sample whose window
 *     starts earlier mixes the resources before it with those after, so it does not teach the load
 *     estimates; 0 in states stored before it was kept (every sample counts)
 */
public record InstanceState(
    int count,
    int used,
    long reload,
    long seq,
    long emittedSeq,
    boolean removed,
    long createdAt,
    long lastHeartbeat,
    long lastRecreate,
    int recreates,
    String podPhase,
    String podUid,
    boolean podGone,
    long podObservedAt,
    boolean startPending,
    String replacedUid,
    String lastRecreateReason,
    int loadBaseline,
    long loadChangedAt) implements PodLife {

  /** A new instance: its pod is being created, so its start is pending. */
  public static InstanceState created(int count, long seq, long now) {
    return new InstanceState(count, 0, 0, seq, 0, false, now, 0, 0, 0, null, null, false, 0, true, null, null, 0, 0);
  }

  /**
   * The plan's new view of the instance, changed by a record of {@code at}; a change of its resource
   * count that unsettles its load ({@link LoadEstimator#unsettles}) starts a new baseline at {@code at}.
   */
  public InstanceState withPlan(int count, int used, long reload, long seq, long at) {
    boolean unsettled = LoadEstimator.unsettles(loadBaseline, used);
    return new InstanceState(count, used, reload, seq, emittedSeq, false, createdAt, lastHeartbeat, lastRecreate, recreates, podPhase, podUid, podGone, podObservedAt, startPending, replacedUid, lastRecreateReason,
        unsettled ? used : loadBaseline, unsettled ? at : loadChangedAt);
  }

  public InstanceState asRemoved(long seq) {
    return new InstanceState(count, 0, reload, seq, emittedSeq, true, createdAt, lastHeartbeat, lastRecreate, recreates, podPhase, podUid, podGone, podObservedAt, startPending, replacedUid, lastRecreateReason, loadBaseline, loadChangedAt);
  }

  public InstanceState emitted() {
    return new InstanceState(count, used, reload, seq, seq, removed, createdAt, lastHeartbeat, lastRecreate, recreates, podPhase, podUid, podGone, podObservedAt, startPending, replacedUid, lastRecreateReason, loadBaseline, loadChangedAt);
  }

  public InstanceState withHeartbeat(long now) {
    return new InstanceState(count, used, reload, seq, emittedSeq, removed, createdAt, now, lastRecreate, recreates, podPhase, podUid, podGone, podObservedAt, startPending, replacedUid, lastRecreateReason, loadBaseline, loadChangedAt);
  }

  /** A recreate command was issued: the current pod is being replaced and the new one's start is pending. */
  public InstanceState withRecreate(long now, String reason) {
    return new InstanceState(count, used, reload, seq, emittedSeq, removed, createdAt, lastHeartbeat, now, recreates + 1, podPhase, podUid, podGone, podObservedAt, true, podUid, reason, loadBaseline, loadChangedAt);
  }

  public InstanceState withPod(String phase, String uid, boolean gone, long observedAt) {
    return new InstanceState(count, used, reload, seq, emittedSeq, removed, createdAt, lastHeartbeat, lastRecreate, recreates, phase, uid, gone, observedAt, startPending, replacedUid, lastRecreateReason, loadBaseline, loadChangedAt);
  }

  /** The pod of the last create or recreate has started. */
  public InstanceState withStarted() {
    if (!startPending) {
      return this;
    }
    return new InstanceState(count, used, reload, seq, emittedSeq, removed, createdAt, lastHeartbeat, lastRecreate, recreates, podPhase, podUid, podGone, podObservedAt, false, replacedUid, lastRecreateReason, loadBaseline, loadChangedAt);
  }

  public boolean pendingEmit() {
    return emittedSeq < seq;
  }

  /**
   * The state after a pod status: phase recorded, and the pending start ended when the policy says
   * the status is one.
   */
  public InstanceState observed(PodStatus status, PodStartPolicy policy) {
    InstanceState next = withPod(status.phase(), status.uid(), status.gone(), status.observedAt());
    return policy.isStart(this, status.phase(), status.uid(), status.gone()) ? next.withStarted() : next;
  }

  /** Health as shown to operators: see {@link HeartbeatRule#health}. */
  public String health(boolean heart, long now, long timeoutMs) {
    return new HeartbeatRule(timeoutMs).health(this, heart, now);
  }
}
