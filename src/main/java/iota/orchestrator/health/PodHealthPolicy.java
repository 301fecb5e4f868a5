package iota.orchestrator.health;

import java.util.Optional;

/**
 * When an instance's pod is recreated: its heartbeat is overdue ({@link HeartbeatRule}, heartbeat
 * types only), its start took too long ({@link PodStartPolicy}, every type), its pod is terminal or
 * gone ({@link PodPhases}), or the pod inventory does not list it. Every recreate but the heartbeat
 * one waits for the no-storm rule; the heartbeat deadline already counts from the last recreate.
 *
 * <p>Plain Java over {@link PodLife}: the caller passes its clock ({@code now}) and the grace start
 * of its task, and carries out the verdicts.
 */
public final class PodHealthPolicy {
  private final HeartbeatRule heartbeat;
  private final PodStartPolicy start;

  /**
   * @param heartbeatTimeoutMs {@code iota.heartbeat.timeout}
   * @param startTimeoutMs {@code iota.pod.start.timeout}
   */
  public PodHealthPolicy(long heartbeatTimeoutMs, long startTimeoutMs) {
    this.heartbeat = new HeartbeatRule(heartbeatTimeoutMs);
    this.start = new PodStartPolicy(startTimeoutMs);
  }

  public HeartbeatRule heartbeat() {
    return heartbeat;
  }

  public PodStartPolicy start() {
    return start;
  }

  /** A new instance's first deadline, or a recreated one's next, is at least this far away. */
  public long shortestTimeoutMs() {
    return Math.min(heartbeat.timeoutMs(), start.timeoutMs());
  }

  /**
   * The verdict on one instance at a deadline check.
   *
   * @param recreateReason why its pod is recreated now; null when it is not
   * @param startTimedOut the recreate is for a start that took too long (counted apart)
   * @param nextCheck the earliest time the verdict can change without a new input; {@link
   *     Long#MAX_VALUE} when only an input can change it
   */
  public record Check(String recreateReason, boolean startTimedOut, long nextCheck) {
    public boolean recreate() {
      return recreateReason != null;
    }
  }

  /**
   * Judges the deadlines of one instance at {@code now}. A start that timed out while the no-storm
   * rule holds waits until a full heartbeat timeout since the last recreate. After a recreate the
   * instance's next deadline is at least {@link #shortestTimeoutMs()} away.
   *
   * @param heart the instance's type sends heartbeats
   * @param podName the instance's pod, for the reason
   */
  public Check check(PodLife s, boolean heart, String podName, long now, long graceStart) {
    if (s.removed()) {
      return new Check(null, false, Long.MAX_VALUE);
    }
    long heartbeatDeadline = heart ? heartbeat.deadline(s, graceStart) : Long.MAX_VALUE;
    long startDeadline = start.deadline(s, graceStart);
    if (now >= heartbeatDeadline) {
      return new Check(heartbeat.lateReason(s, now), false, now + shortestTimeoutMs());
    }
    if (now >= startDeadline) {
      if (heartbeat.mayRecreate(s, now)) {
        return new Check(start.reason(s, podName), true, now + shortestTimeoutMs());
      }
      return new Check(null, false, Math.min(heartbeatDeadline, heartbeat.recreateAllowedAt(s)));
    }
    return new Check(null, false, Math.min(heartbeatDeadline, startDeadline));
  }

  /**
   * After a pod status has been recorded in {@code s}: the reason to recreate the pod now, when it
   * is terminal or gone and the no-storm rule allows it.
   */
  public Optional<String> recreateForStatus(PodLife s, String podName, String phase, boolean gone, long now) {
    if (!PodPhases.isTerminal(phase, gone) || !heartbeat.mayRecreate(s, now)) {
      return Optional.empty();
    }
    return Optional.of(gone ? "pod " + podName + " is gone" : "pod " + podName + " is " + phase);
  }

  /**
   * The inventory rule: a planned instance the pod inventory does not list has no pod and is
   * recreated, unless it was created or recreated within the last heartbeat timeout (its pod may
   * simply not exist yet) or the no-storm rule holds.
   */
  public boolean recreateUnlisted(PodLife s, long now) {
    return !s.removed()
        && now - Math.max(s.createdAt(), s.lastRecreate()) >= heartbeat.timeoutMs()
        && heartbeat.mayRecreate(s, now);
  }

  /** The health word of {@link HeartbeatRule#health}. */
  public String health(PodLife s, boolean heart, long now) {
    return heartbeat.health(s, heart, now);
  }
}
