package iota.orchestrator.autoscale;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One metrics round of a resource type: the pool as the plan has it and what was measured of it.
 *
 * @param timestamp when the round was taken (epoch milliseconds, from the record, never the
 *     decider's clock); the stabilization window is measured on these
 * @param instances the pool's instance ids; an instance with no sample in {@code samples} is treated
 *     exactly as a {@link PodSample.State#MISSING_POD}
 * @param resourceCount the live resources of the type, for the count minimum
 * @param samples at most one per instance
 */
public record MetricsRound(long timestamp, List<Integer> instances, int resourceCount, List<PodSample> samples) {

  public MetricsRound {
    instances = List.copyOf(new TreeSet<>(instances));
    samples = List.copyOf(samples);
    if (resourceCount < 0) {
      throw new IllegalArgumentException("resourceCount must not be negative, got " + resourceCount);
    }
    TreeSet<Integer> seen = new TreeSet<>();
    for (PodSample s : samples) {
      Objects.requireNonNull(s, "sample");
      if (!seen.add(s.instanceId())) {
        throw new IllegalArgumentException("two samples of instance " + s.instanceId());
      }
      if (!instances.contains(s.instanceId())) {
        throw new IllegalArgumentException("sample of instance " + s.instanceId() + " that is not in the pool");
      }
    }
  }

  /** The current pool size. */
  public int current() {
    return instances.size();
  }
}
