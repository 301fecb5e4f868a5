package iota.orchestrator.autoscale;

import java.util.Objects;

/**
 * One round's decision for a type.
 *
 * @param at the round's timestamp
 * @param from the pool size before
 * @param to the pool size to run now; equal to {@code from} when nothing changes
 * @param recommended what the metrics alone asked for, before stabilization, step and bounds
 * @param condition the outcome word
 * @param limitedBy what kept {@code to} from {@code recommended}; null when nothing did
 * @param cpuUtilization CPU usage over requests of the pods used; null when unknown
 * @param memoryUtilization memory usage over requests of the pods used; null when unknown
 * @param reason the decision in words, e.g. {@code cpu 93% of requests > target 70%: 10 -> 14 instances}
 * @param state the window to keep for the next round
 */
public record Decision(
    long at,
    int from,
    int to,
    int recommended,
    Condition condition,
    Limit limitedBy,
    Double cpuUtilization,
    Double memoryUtilization,
    String reason,
    ScalingState state) {

  public Decision {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(state, "state");
  }

  /** Whether the pool changes size. */
  public boolean scales() {
    return to != from;
  }

  /** HPA's {@code ScalingLimited}: a limit kept the pool from the recommendation. */
  public boolean scalingLimited() {
    return limitedBy != null;
  }
}
