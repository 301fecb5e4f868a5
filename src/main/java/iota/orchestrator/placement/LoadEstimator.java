package iota.orchestrator.placement;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Estimates each resource's load from what is measured, which is only per instance (a pod's usage):
 * the usage above a configurable idle base is divided among the instance's resources in proportion
 * to their current estimates (equally when none has one), and each resource's estimate follows its
 * share as an exponential moving average over time, with a half-life measured on the samples'
 * timestamps (never the wall clock).
 *
 * <p>Why it converges where resources differ: a split in proportion to the estimates cannot tell
 * apart resources that have only ever shared an instance, but every move of a resource puts it among
 * others and the next measurement of its new instance re-weighs it. A hot resource whose estimate is
 * too low makes its new instance measure hotter than estimated, which raises its share there; the
 * rebalancer then moves others away from it. {@code LoadEstimatorTest} checks this on a skewed fleet.
 *
 * <p>Not thread-safe; one owner per type, like {@link TypePlan}.
 */
public final class LoadEstimator {

  /** One resource's estimate and the timestamp of the sample it last took in. */
  public record Estimate(double load, long at) {}

  private final double idleBase;
  private final long halfLifeMillis;
  private final HashMap<String, Estimate> estimates = new HashMap<>();
  private final Map<String, Estimate> view = Collections.unmodifiableMap(estimates);

  /**
   * @param idleBase an instance's usage with no resources (e.g. 50 millicores); only usage above it
   *     is divided among the resources
   * @param halfLifeMillis after this much sample time an old estimate weighs half; 0 takes each share
   *     as it comes
   */
  public LoadEstimator(double idleBase, long halfLifeMillis) {
    if (!(idleBase >= 0)) {
      throw new IllegalArgumentException("idleBase must not be negative, got " + idleBase);
    }
    if (halfLifeMillis < 0) {
      throw new IllegalArgumentException("halfLifeMillis must not be negative, got " + halfLifeMillis);
    }
    this.idleBase = idleBase;
    this.halfLifeMillis = halfLifeMillis;
  }

  /**
   * Takes in one instance's measured usage at {@code timestamp} for the resources it serves. A
   * resource whose estimate is as new as or newer than {@code timestamp} keeps it (a sample replayed
   * or out of order changes nothing).
   */
  public void observe(long timestamp, double usage, Collection<String> resources) {
    if (!(usage >= 0)) {
      throw new IllegalArgumentException("usage must not be negative, got " + usage);
    }
    if (resources.isEmpty()) {
      return;
    }
    double known = 0;
    int knownCount = 0;
    for (String r : resources) {
      Estimate e = estimates.get(Objects.requireNonNull(r, "resource"));
      if (e != null) {
        known += e.load();
        knownCount++;
      }
    }
    // A newcomer weighs as the mean of the known ones; with nothing known (or all at zero) the split
    // is equal. Every known weight has a floor of 1 % of that mean, so an estimate that once fell to
    // zero can still rise again when its instance measures more than the others explain.
    double mean = knownCount == 0 || known <= 0 ? 1 : known / knownCount;
    double totalWeight = 0;
    for (String r : resources) {
      totalWeight += weight(estimates.get(r), known, mean);
    }
    double work = Math.max(0, usage - idleBase);
    for (String r : resources) {
      Estimate e = estimates.get(r);
      double weight = weight(e, known, mean);
      double share = totalWeight > 0 ? work * weight / totalWeight : work / resources.size();
      if (e == null) {
        estimates.put(r, new Estimate(share, timestamp));
      } else if (timestamp > e.at()) {
        double alpha = halfLifeMillis == 0 ? 1 : 1 - Math.pow(0.5, (double) (timestamp - e.at()) / halfLifeMillis);
        estimates.put(r, new Estimate(e.load() + alpha * (share - e.load()), timestamp));
      }
    }
  }

  private static double weight(Estimate e, double known, double mean) {
    return e == null || known <= 0 ? mean : Math.max(e.load(), 0.01 * mean);
  }

  /** Takes in a round: every instance's measured usage, for the resources the plan has on it. */
  public void observe(long timestamp, Map<Integer, Double> usageByInstance, TypePlan plan) {
    for (Map.Entry<Integer, Double> e : usageByInstance.entrySet()) {
      InstanceView v = plan.instance(e.getKey());
      if (v != null) {
        observe(timestamp, e.getValue(), v.resources());
      }
    }
  }

  /** Forgets a resource that no longer exists. */
  public void forget(String resource) {
    estimates.remove(resource);
  }

  /** Sets an estimate as stored (a restore). */
  public void restore(String resource, Estimate estimate) {
    estimates.put(Objects.requireNonNull(resource, "resource"), Objects.requireNonNull(estimate, "estimate"));
  }

  /** Every estimate; unmodifiable and live. */
  public Map<String, Estimate> estimates() {
    return view;
  }

  /** The estimated loads as the rebalancer takes them; a copy. */
  public Map<String, Double> loads() {
    HashMap<String, Double> loads = new HashMap<>(estimates.size() * 2);
    for (Map.Entry<String, Estimate> e : estimates.entrySet()) {
      loads.put(e.getKey(), e.getValue().load());
    }
    return loads;
  }
}
