package iota.orchestrator.topology;

import iota.orchestrator.model.PodStatus;

/**
 * The operation time limit of a pod start (Cloud Foundry's {@code op_time_limit}, seed 004): the pod
 * of a create or a recreate must be seen Running within {@code iota.pod.start.timeout}, or the
 * instance is recreated. Plain Java over {@link InstanceState}, so the rule is tested without Kafka;
 * the processor feeds it the same clock it uses for heartbeat deadlines.
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
  public long deadline(InstanceState s, long graceStart) {
    if (s.removed() || !s.startPending()) {
      return Long.MAX_VALUE;
    }
    return Math.max(Math.max(s.createdAt(), s.lastRecreate()), graceStart) + timeoutMs;
  }

  /** True when the status shows the pod of the last create or recreate Running. */
  public boolean isStart(InstanceState s, PodStatus status) {
    return s.startPending()
        && !status.gone()
        && "Running".equals(status.phase())
        && (s.replacedUid() == null || !s.replacedUid().equals(status.uid()));
  }

  /** The state after a status: phase recorded, and the start ended when the status is one. */
  public InstanceState observe(InstanceState s, PodStatus status) {
    InstanceState next = s.withPod(status.phase(), status.uid(), status.gone(), status.observedAt());
    return isStart(s, status) ? next.withStarted() : next;
  }

  /** Why the instance is recreated when its start timed out, for the log and the plan's health. */
  public String reason(InstanceState s, String podName) {
    String since = s.lastRecreate() > 0 ? "its recreate" : "its create";
    String phase = s.podPhase() == null || s.podGone() ? "no pod status seen" : "last phase " + s.podPhase();
    return "pod " + podName + " not Running within " + timeoutMs + " ms of " + since + " (" + phase + ")";
  }
}
