package iota.orchestrator.placement;

/**
 * The pool a re-orchestration would need is larger than {@code maxInstances}. The message is the
 * original orchestrator's text, which operators and the admin UI already know:
 * {@code require instances more than the max: <instances>/<max>}.
 */
public final class SizingException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int instances;
  private final int maxInstances;

  public SizingException(int instances, int maxInstances) {
    this(instances, maxInstances, "require instances more than the max: " + instances + "/" + maxInstances);
  }

  /** With a message of its own, for a pool that the ids' bytes would make too large. */
  public SizingException(int instances, int maxInstances, String message) {
    super(message, null, false, false);
    this.instances = instances;
    this.maxInstances = maxInstances;
  }

  /** The number of instances the resources would need. */
  public int instances() {
    return instances;
  }

  /** The limit that was exceeded. */
  public int maxInstances() {
    return maxInstances;
  }
}
