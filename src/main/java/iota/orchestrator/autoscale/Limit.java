package iota.orchestrator.autoscale;

/**
 * What cut a recommendation short, as HPA's {@code ScalingLimited} condition names it. A limited
 * decision is not a failure: the pool moves as far as the limit allows and the decision says why not
 * further.
 */
public enum Limit {
  /** The count minimum of DESIGN.md §2 or {@code initInstances} is higher than the recommendation. */
  TOO_FEW_REPLICAS("TooFewReplicas"),
  /** {@code maxInstances} is lower than the recommendation. */
  TOO_MANY_REPLICAS("TooManyReplicas"),
  /** One round may add only {@code scale.up.max.step} instances. */
  SCALE_UP_LIMIT("ScaleUpLimit"),
  /** One round removes at most one instance. */
  SCALE_DOWN_LIMIT("ScaleDownLimit");

  private final String word;

  Limit(String word) {
    this.word = word;
  }

  /** The HPA-style word, e.g. {@code TooManyReplicas}. */
  public String word() {
    return word;
  }
}
