package iota.orchestrator.autoscale;

/**
 * The outcome of one autoscaling round, in the words Kubernetes' HorizontalPodAutoscaler uses for
 * its conditions' reasons (so an operator who knows HPA reads ours the same way).
 */
public enum Condition {
  /** Autoscaling is off for the type; the pool is left as it is. */
  SCALING_DISABLED("ScalingDisabled"),
  /** No usable metric (no pod measured, or pods without requests): no decision on load. */
  FAILED_GET_RESOURCE_METRIC("FailedGetResourceMetric"),
  /** Utilization within the tolerance of the target (or the bounds already hold the pool): no change. */
  DESIRED_WITHIN_RANGE("DesiredWithinRange"),
  /** The pool changes size this round. */
  SUCCEEDED_RESCALE("SucceededRescale"),
  /** A lower pool was recommended, but a higher recommendation of the stabilization window holds it. */
  SCALE_DOWN_STABILIZED("ScaleDownStabilized"),
  /** A lower pool was recommended, but some pod's metrics are missing, so nothing is removed. */
  SCALE_DOWN_BLOCKED("ScaleDownBlockedMissingMetrics");

  private final String word;

  Condition(String word) {
    this.word = word;
  }

  /** The HPA-style word, e.g. {@code ScaleDownStabilized}. */
  public String word() {
    return word;
  }
}
