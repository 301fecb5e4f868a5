package iota.orchestrator.placement;

/**
 * The pool-sizing formula of a full re-orchestration (DESIGN.md §2), kept exactly as the original
 * computed it so a re-orchestration here sizes the pool the way operators expect:
 *
 * <pre>
 * instances = floor(count / resourcePerInstance) + 1
 * if instances &gt; maxInstances: fail "require instances more than the max: &lt;instances&gt;/&lt;max&gt;"
 * if instances &lt; initInstances: instances = initInstances; resourcePerInstance = floor(count / instances) + 1
 * </pre>
 *
 * <p>The result always has room for every resource: {@code instances * resourcePerInstance > count}.
 * Parameter ranges are checked by the request model, not here, so benchmarks and tests may size
 * pools outside the request ranges.
 */
public final class Sizing {

  /** The pool size and the capacity of each instance. */
  public record Result(int instances, int resourcePerInstance) {}

  private Sizing() {}

  /**
   * Sizes the pool for {@code count} live resources.
   *
   * @throws SizingException when more than {@code maxInstances} instances would be needed
   * @throws IllegalArgumentException when {@code count} is negative or {@code resourcePerInstance}
   *     is not positive (the formula divides by it)
   */
  public static Result size(int count, int initInstances, int maxInstances, int resourcePerInstance)
      throws SizingException {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
    if (resourcePerInstance <= 0) {
      throw new IllegalArgumentException("resourcePerInstance must be positive, got " + resourcePerInstance);
    }
    int instances = count / resourcePerInstance + 1;
    if (instances > maxInstances) {
      throw new SizingException(instances, maxInstances);
    }
    int perInstance = resourcePerInstance;
    if (instances < initInstances) {
      instances = initInstances;
      perInstance = count / instances + 1;
    }
    return new Result(instances, perInstance);
  }
}
