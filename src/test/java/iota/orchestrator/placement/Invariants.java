package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.model.EncodedIds;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Checks a {@link LoadPlan} against the plan it was computed on, independently of the rebalancer. */
final class Invariants {
  private Invariants() {}

  /**
   * Applies the moves to a copy of the layout and checks: every resource on exactly one instance,
   * no instance beyond its count or byte budget unless it started there and took nothing, nothing onto
   * a draining or removed instance, draining ones emptied unless reported unplaced, the reported
   * loads and band flag as recomputed.
   */
  static void check(TypePlan plan, LoadPlan result, Map<String, Double> loads, Set<Integer> draining) {
    TreeMap<Integer, Set<String>> layout = new TreeMap<>();
    Map<String, Integer> where = new HashMap<>();
    for (InstanceView v : plan.instances().values()) {
      layout.put(v.id(), new HashSet<>(v.resources()));
      for (String r : v.resources()) {
        where.put(r, v.id());
      }
    }
    Set<Integer> received = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (Move m : result.moves()) {
      assertTrue(seen.add(m.resource()), "moved twice: " + m);
      assertEquals(m.from(), where.get(m.resource()), "move from the wrong instance: " + m);
      assertFalse(draining.contains(m.to()) || result.removed().contains(m.to()), "move onto a giving instance: " + m);
      layout.get(m.from()).remove(m.resource());
      layout.get(m.to()).add(m.resource());
      received.add(m.to());
    }
    int total = 0;
    Set<String> all = new HashSet<>();
    for (Map.Entry<Integer, Set<String>> e : layout.entrySet()) {
      InstanceView v = plan.instance(e.getKey());
      Set<String> ids = e.getValue();
      total += ids.size();
      all.addAll(ids);
      if (received.contains(e.getKey())) {
        assertTrue(ids.size() <= v.count(), "instance " + e.getKey() + " over its count " + v.count());
        long bytes = 0;
        for (String r : ids) {
          bytes += EncodedIds.encodedLength(r);
        }
        assertTrue(EncodedIds.znodeLength(ids.size(), bytes) <= plan.maxBytes(), "instance " + e.getKey() + " over its bytes");
      }
    }
    assertEquals(plan.resourceCount(), total, "a resource is on two instances or none");
    assertEquals(plan.resourceCount(), all.size());
    for (int id : draining) {
      for (String r : layout.getOrDefault(id, Set.of())) {
        assertTrue(result.unplaced().contains(r), "draining instance " + id + " kept " + r + " without saying so");
      }
    }
    for (int id : result.removed()) {
      assertTrue(layout.get(id).isEmpty(), "removed instance " + id + " still serves resources");
    }
    double max = 0;
    double min = Double.POSITIVE_INFINITY;
    double sum = 0;
    int takers = 0;
    double fallback = loads.isEmpty() ? 0 : loads.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double everything = 0;
    for (Map.Entry<Integer, Set<String>> e : layout.entrySet()) {
      double load = 0;
      for (String r : e.getValue()) {
        load += loads.getOrDefault(r, fallback);
      }
      everything += load;
      if (draining.contains(e.getKey()) || result.removed().contains(e.getKey())) {
        continue;
      }
      takers++;
      sum += load;
      max = Math.max(max, load);
      min = Math.min(min, load);
    }
    if (takers > 0) {
      assertEquals(max, result.maxLoad(), 1e-6 * Math.max(1, max));
      assertEquals(min, result.minLoad(), 1e-6 * Math.max(1, max));
      if (result.unplaced().isEmpty() && result.removed().size() == countRemovedAsked(result)) {
        double mean = everything / takers;
        boolean within = max <= mean * (1 + result.band()) + 1e-9 * mean && min >= mean * (1 - result.band()) - 1e-9 * mean;
        assertEquals(within, result.withinBand(), "band flag");
      }
    }
    assertTrue(sum >= 0);
  }

  private static int countRemovedAsked(LoadPlan result) {
    return result.removed().size();
  }
}
