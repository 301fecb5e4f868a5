package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The O(instances) pre-check never skips a re-plan that would move something, and says no where none would. */
class LoadRebalancerNeededTest {

  @Test
  void agreesWithTheReplanOnRandomFleets() {
    Random random = new Random(42);
    int needed = 0;
    for (int round = 0; round < 2_000; round++) {
      int instances = 2 + random.nextInt(6);
      TypePlan plan = new TypePlan(50, Integer.MAX_VALUE, Long.MAX_VALUE);
      Map<String, Double> loads = new HashMap<>();
      Map<Integer, Double> perInstance = new HashMap<>();
      for (int i = 0; i < instances; i++) {
        plan.restoreInstance(i, 50, 0);
        int resources = random.nextInt(12);
        double base = 1 + random.nextDouble() * (random.nextBoolean() ? 0.1 : 1.5);
        for (int j = 0; j < resources; j++) {
          String id = "i" + i + "-" + j;
          plan.restorePlacement(id, i);
          double load = random.nextInt(20) == 0 ? base * 8 : base;
          loads.put(id, load);
          perInstance.merge(i, load, Double::sum);
        }
      }
      Set<Integer> draining = new HashSet<>();
      if (random.nextInt(5) == 0) {
        draining.add(random.nextInt(instances));
      }
      double tolerance = random.nextInt(3) * 0.02;
      boolean pre = LoadRebalancer.needed(plan, perInstance, draining, LoadRebalancer.DEFAULT_BAND, tolerance);
      LoadPlan result = LoadRebalancer.rebalance(plan, loads, draining, LoadRebalancer.DEFAULT_BAND,
          LoadRebalancer.BALANCE_MARGIN, tolerance);
      if (!result.moves().isEmpty()) {
        assertTrue(pre, "round " + round + ": the re-plan moved " + result.moves().size() + " but the pre-check said no");
      }
      if (!pre) {
        assertTrue(result.moves().isEmpty(), "round " + round);
      } else {
        needed++;
      }
    }
    assertTrue(needed > 100, "the fleets exercise both answers: " + needed);
  }

  @Test
  void aDrainingInstanceWithResourcesIsWorkEvenWhenBalanced() {
    TypePlan plan = new TypePlan(10, Integer.MAX_VALUE, Long.MAX_VALUE);
    plan.restoreInstance(0, 10, 0);
    plan.restoreInstance(1, 10, 0);
    plan.restorePlacement("a", 0);
    plan.restorePlacement("b", 1);
    Map<Integer, Double> loads = Map.of(0, 1.0, 1, 1.0);
    assertFalse(LoadRebalancer.needed(plan, loads, Set.of(), 0.10, 0));
    assertTrue(LoadRebalancer.needed(plan, loads, Set.of(1), 0.10, 0));
  }
}
