package iota.orchestrator.placement;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where new resources go by load (issue 12 §4): the instance with the lowest estimated load that
 * takes resources (not drained) and has room by count, lowest id on ties. It keeps each instance's
 * load sum in a tree ordered by load, so an arrival costs O(log n) instead of a walk over every
 * resource ({@link LoadRebalancer#coolest}); a new resource counts at the mean estimate, since its
 * own load is not known yet. Built from a plan and its loads, then kept up to date by the caller
 * through {@link #lost}; a chosen instance is charged at once. Byte room is the plan's to check: an
 * instance without it makes {@link TypePlan#addAll(java.util.Collection, TypePlan.Chooser)} fall back
 * to the count rules.
 */
public final class CoolestInstance implements TypePlan.Chooser {
  private record Entry(double load, int id) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Double.compare(load, o.load);
      return c != 0 ? c : Integer.compare(id, o.id);
    }
  }

  private final TypePlan plan;
  private final Map<String, Double> loads;
  private final double newcomer;
  private final TreeSet<Entry> byLoad = new TreeSet<>();
  private final Map<Integer, Entry> entries = new HashMap<>();

  /**
   * Built in O(instances) from each instance's estimated load, so that a type of 500,000 resources
   * does not copy a per-resource map every metrics round. A resource that leaves counts at its
   * instance's mean load per resource (its own estimate is the estimator's, not needed here); the
   * next round builds the chooser again from fresh loads.
   *
   * @param instanceLoads estimated load per instance; an instance without one counts its resources at
   *     the fleet's mean
   * @param excluded instances that take no new resources (drained)
   */
  public CoolestInstance(TypePlan plan, Map<Integer, Double> instanceLoads, Set<Integer> excluded) {
    this.plan = plan;
    this.loads = new HashMap<>();
    double sum = 0;
    long used = 0;
    for (InstanceView v : plan.instances().values()) {
      Double l = instanceLoads.get(v.id());
      if (l != null) {
        sum += l;
        used += v.used();
      }
    }
    this.newcomer = used == 0 ? 1 : sum / used;
    for (InstanceView v : plan.instances().values()) {
      if (excluded.contains(v.id())) {
        continue;
      }
      Double l = instanceLoads.get(v.id());
      put(new Entry(l != null ? l : newcomer * v.used(), v.id()));
    }
  }

  private void put(Entry e) {
    byLoad.add(e);
    entries.put(e.id, e);
  }

  private void charge(int id, double delta) {
    Entry old = entries.get(id);
    if (old != null) {
      byLoad.remove(old);
      put(new Entry(old.load + delta, id));
    }
  }

  @Override
  public Integer choose(String resource) {
    for (Entry e : byLoad) {
      InstanceView v = plan.instance(e.id);
      if (v != null && v.used() < v.count()) {
        loads.put(resource, newcomer);
        charge(e.id, newcomer);
        return e.id;
      }
    }
    return null;
  }

  /** Resources left these instances (removed from the type): their loads leave the sums. */
  public void lost(Map<Integer, List<String>> lost) {
    for (Map.Entry<Integer, List<String>> e : lost.entrySet()) {
      Entry entry = entries.get(e.getKey());
      InstanceView v = plan.instance(e.getKey());
      // The plan has already let them go: the instance's mean is over what it held before.
      int before = (v == null ? 0 : v.used()) + e.getValue().size();
      double mean = entry == null || before == 0 ? newcomer : entry.load / before;
      for (String r : e.getValue()) {
        Double own = loads.remove(r);
        charge(e.getKey(), -(own != null ? own : mean));
      }
    }
  }
}
