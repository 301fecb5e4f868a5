package iota.orchestrator.health;

/**
 * The heartbeat deadline of DESIGN.md §2: an instance of a heartbeat type that has sent nothing
 * within the timeout is late. The clock restarts at each heartbeat, create and recreate, and never
 * before the grace start of the task that judges it: a task that was just assigned or restored has
 * not been hearing heartbeats, so every instance gets one full timeout first.
 *
 * <p>The same timeout bounds recreates (the no-storm rule): an instance is recreated again only once
 * a full timeout has passed since its last recreate, so a pod that is still starting is not
 * replaced before it could have said anything.
 */
public final class HeartbeatRule {
  private final long timeoutMs;

  /** @param timeoutMs {@code iota.heartbeat.timeout} */
  public HeartbeatRule(long timeoutMs) {
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("the heartbeat timeout must be positive");
    }
    this.timeoutMs = timeoutMs;
  }

  public long timeoutMs() {
    return timeoutMs;
  }

  /** When the instance is late unless it is heard from, recreated or judged by a later task. */
  public long deadline(PodLife s, long graceStart) {
    return Math.max(Math.max(s.lastHeartbeat(), s.lastRecreate()), Math.max(s.createdAt(), graceStart)) + timeoutMs;
  }

  /** The heartbeat is overdue at {@code now}. */
  public boolean isLate(PodLife s, long now, long graceStart) {
    return now >= deadline(s, graceStart);
  }

  /** No storm: true unless the instance was recreated less than a full timeout ago. */
  public boolean mayRecreate(PodLife s, long now) {
    return s.lastRecreate() == 0 || now - s.lastRecreate() >= timeoutMs;
  }

  /** When {@link #mayRecreate} turns true; 0 when it already is. */
  public long recreateAllowedAt(PodLife s) {
    return s.lastRecreate() == 0 ? 0 : s.lastRecreate() + timeoutMs;
  }

  /** Why a late instance is recreated, for the log and the plan's health. */
  public String lateReason(PodLife s, long now) {
    return s.lastHeartbeat() == 0
        ? "no heartbeat within " + timeoutMs + " ms"
        : "no heartbeat for " + (now - s.lastHeartbeat()) + " ms (timeout " + timeoutMs + " ms)";
  }

  /**
   * Health as shown to operators: {@code failed} (pod in a terminal phase or gone), for a heartbeat
   * type {@code late} (heartbeat overdue), {@code healthy} (heard from since its create or last
   * recreate) or {@code starting} (not yet), and for a type without heartbeats {@code healthy} (pod
   * Running), {@code starting} (another phase) or {@code unknown} (nothing observed yet). The plan
   * is read outside any task, so there is no grace start here.
   */
  public String health(PodLife s, boolean heart, long now) {
    if (PodPhases.isTerminal(s.podPhase(), s.podGone())) {
      return "failed";
    }
    if (heart) {
      if (isLate(s, now, 0)) {
        return "late";
      }
      long since = Math.max(s.createdAt(), s.lastRecreate());
      return s.lastHeartbeat() >= since && s.lastHeartbeat() > 0 ? "healthy" : "starting";
    }
    if (PodPhases.RUNNING.equals(s.podPhase())) {
      return "healthy";
    }
    return s.podPhase() == null ? "unknown" : "starting";
  }
}
