package iota.orchestrator.autoscale;

/**
 * The autoscaling parameters of one resource type (issue 12 §3), with the pool bounds of its
 * orchestration.
 *
 * @param enabled whether the type is scaled on load at all ({@code iota.resource.<type>.autoscale})
 * @param targetCpuUtilization the CPU usage over requests to aim at, in (0, 1] (0.70)
 * @param targetMemoryUtilization the memory usage over requests to aim at (0.80)
 * @param tolerance no change while {@code |utilization / target - 1|} is at most this (0.10)
 * @param scaleUpMinStep a scale-up adds at most the larger of this many instances (4)
 * @param scaleUpMaxPercent and this fraction of the current pool (1.0 = 100 %)
 * @param scaleDownStabilizationMillis a scale-down goes no lower than the highest recommendation of
 *     this window (300 s)
 * @param warmupMillis samples of a pod younger than this are not used (30 s)
 * @param initInstances the orchestration's {@code initInstances}: the pool never goes below it
 * @param maxInstances the orchestration's {@code maxInstances}: the pool never goes above it
 * @param resourcePerInstance the orchestration's {@code resourcePerInstance}: with the resource
 *     count it gives the count minimum of DESIGN.md §2 ({@link iota.orchestrator.placement.Sizing})
 */
public record ScalingParams(
    boolean enabled,
    double targetCpuUtilization,
    double targetMemoryUtilization,
    double tolerance,
    int scaleUpMinStep,
    double scaleUpMaxPercent,
    long scaleDownStabilizationMillis,
    long warmupMillis,
    int initInstances,
    int maxInstances,
    int resourcePerInstance) {

  public ScalingParams {
    requireFraction(targetCpuUtilization, "targetCpuUtilization");
    requireFraction(targetMemoryUtilization, "targetMemoryUtilization");
    if (!(tolerance >= 0 && tolerance < 1)) {
      throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
    }
    if (scaleUpMinStep < 1) {
      throw new IllegalArgumentException("scaleUpMinStep must be at least 1, got " + scaleUpMinStep);
    }
    if (!(scaleUpMaxPercent >= 0)) {
      throw new IllegalArgumentException("scaleUpMaxPercent must not be negative, got " + scaleUpMaxPercent);
    }
    if (scaleDownStabilizationMillis < 0) {
      throw new IllegalArgumentException("scaleDownStabilizationMillis must not be negative, got " + scaleDownStabilizationMillis);
    }
    if (warmupMillis < 0) {
      throw new IllegalArgumentException("warmupMillis must not be negative, got " + warmupMillis);
    }
    if (initInstances < 0) {
      throw new IllegalArgumentException("initInstances must not be negative, got " + initInstances);
    }
    if (maxInstances < 1 || maxInstances < initInstances) {
      throw new IllegalArgumentException(
          "maxInstances must be at least 1 and at least initInstances " + initInstances + ", got " + maxInstances);
    }
    if (resourcePerInstance < 1) {
      throw new IllegalArgumentException("resourcePerInstance must be positive, got " + resourcePerInstance);
    }
  }

  /** The defaults (enabled) within the given orchestration bounds. */
  public static ScalingParams defaults(int initInstances, int maxInstances, int resourcePerInstance) {
    return new ScalingParams(true, 0.70, 0.80, 0.10, 4, 1.0, 300_000, 30_000, initInstances, maxInstances, resourcePerInstance);
  }

  /** These parameters with autoscaling switched on or off. */
  public ScalingParams withEnabled(boolean on) {
    return new ScalingParams(on, targetCpuUtilization, targetMemoryUtilization, tolerance, scaleUpMinStep,
        scaleUpMaxPercent, scaleDownStabilizationMillis, warmupMillis, initInstances, maxInstances, resourcePerInstance);
  }

  /** These parameters with other orchestration bounds (an {@code orchestrate} request changed them). */
  public ScalingParams withBounds(int init, int max, int rpi) {
    return new ScalingParams(enabled, targetCpuUtilization, targetMemoryUtilization, tolerance, scaleUpMinStep,
        scaleUpMaxPercent, scaleDownStabilizationMillis, warmupMillis, init, max, rpi);
  }

  /** The most instances one scale-up round may add to a pool of {@code current}: max(min step, percent of the pool). */
  public int maxScaleUpStep(int current) {
    return Math.max(scaleUpMinStep, (int) Math.ceil(current * scaleUpMaxPercent));
  }

  private static void requireFraction(double value, String name) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1], got " + value);
    }
  }
}
