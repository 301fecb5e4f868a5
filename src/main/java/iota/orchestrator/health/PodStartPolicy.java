package iota.orchestrator.health;

/**
 * The operation time limit of a pod start (Cloud Foundry's {@code op_time_limit}, seed 004): the pod
 * of a create or a recreate must be seen Running within {@code iota.pod.start.timeout}, or the
 * instance is recreated. The caller feeds it the same clock it uses for heartbeat deadlines.
 *
 * <p>A start ends when a Running status arrives from a pod other than the one the last recreate
 * replaced (that pod can still report Running on a resync before its deletion shows), or when the
 * instance sends a heartbeat: a worker that heartbeats is running whatever the pod watcher missed.
 *
 * <p>The clock of a start begins at the create or recreate, and never before the task's grace
 * start: after a restore the task has not been reading pod statuses, and a pod that started while
 * it was away must get the chance to say so before it is judged.
 */
public final class PodStartPolicy {
  private final long timeoutMs;

  /** @param timeoutMs {@code iota.pod.start.timeout} */
  public PodStartPolicy(long timeoutMs) {
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("the start timeout must be positive");
    }
    this.timeoutMs = timeoutMs;
  }

  public long timeoutMs() {
    return timeoutMs;
  }

  /** When the pending start of the instance times out; {@link Long#MAX_VALUE} when none is pending. */
  public long deadline(PodLife s, long graceStart) {
    if (s.removed() || !s.startPending()) {
      return Long.MAX_VALUE;
    }
    return Math.max(Math.max(s.createdAt(), s.lastRecreate()), graceStart) + timeoutMs;
  }

  /** True when a status of {@code phase} from the pod {@code uid} shows the pod of the last create or recreate Running. */
  public boolean isStart(PodLife s, String phase, String uid, boolean gone) {
    return s.startPending()
        && !gone
        && PodPhases.RUNNING.equals(phase)
        && (s.replacedUid() == null || !s.replacedUid().equals(uid));
  }

  /** Why the instance is recreated when its start timed out, for the log and the plan's health. */
  public String reason(PodLife s, String podName) {
    String since = s.lastRecreate() > 0 ? "its recreate" : "its create";
    String phase = s.podPhase() == null || s.podGone() ? "no pod status seen" : "last phase " + s.podPhase();
    return "pod " + podName + " not Running within " + timeoutMs + " ms of " + since + " (" + phase + ")";
  }
}
