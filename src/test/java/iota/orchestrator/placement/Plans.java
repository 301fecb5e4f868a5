package iota.orchestrator.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** Test helpers: build plans from a picture of them and take comparable snapshots. */
final class Plans {
  private Plans() {}

  /** A plan restored from {@code instance id -> resource ids}, every instance with {@code count}, reload 0. */
  static TypePlan restored(int capacity, int count, Map<Integer, List<String>> layout) {
    TypePlan plan = new TypePlan(capacity);
    for (Map.Entry<Integer, List<String>> e : new TreeMap<>(layout).entrySet()) {
      plan.restoreInstance(e.getKey(), count, 0);
      for (String resource : e.getValue()) {
        plan.restorePlacement(resource, e.getKey());
      }
    }
    return plan;
  }

  /** Resource ids r000..r(n-1), zero-padded so String order is numeric order. */
  static List<String> ids(String prefix, int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) {
      ids.add(String.format("%s%03d", prefix, i));
    }
    return ids;
  }

  /** One instance as plain values, detached from the plan. */
  record Inst(int id, int count, int used, long reload, SortedSet<String> resources) {}

  /** A deep copy of the plan's instances; equal snapshots mean equal plans. */
  static TreeMap<Integer, Inst> snapshot(TypePlan plan) {
    TreeMap<Integer, Inst> copy = new TreeMap<>();
    for (InstanceView v : plan.instances().values()) {
      copy.put(v.id(), new Inst(v.id(), v.count(), v.used(), v.reload(), new TreeSet<>(v.resources())));
    }
    return copy;
  }

  static TreeSet<Integer> set(Integer... ids) {
    return new TreeSet<>(List.of(ids));
  }
}
