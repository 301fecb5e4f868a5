package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The greedy against the optimum on small random fleets: every assignment of the resources to the
 * instances is enumerated, the fewest moves of any assignment within counts and the band is the
 * optimum, and the greedy's plan is compared with it.
 */
class LoadRebalancerBruteForceTest {

  private static final long SEED = 1201L;
  private static final double BAND = 0.10;

  /** One small fleet: per instance its count and the loads of its resources. */
  private record Fleet(int[] counts, List<List<Double>> loads) {
    int resources() {
      int n = 0;
      for (List<Double> l : loads) {
        n += l.size();
      }
      return n;
    }
  }

  private static Fleet fleet(Random rnd) {
    int k = 2 + rnd.nextInt(3);
    int[] counts = new int[k];
    List<List<Double>> loads = new ArrayList<>();
    int n = 2 + rnd.nextInt(k == 4 ? 5 : 7);
    for (int i = 0; i < k; i++) {
      counts[i] = 1 + rnd.nextInt(n);
      loads.add(new ArrayList<>());
    }
    for (int r = 0; r < n; r++) {
      double load = rnd.nextInt(5) == 0 ? 5 + rnd.nextInt(20) : 1 + rnd.nextInt(4);
      // skewed placement: the low ids get most of the resources
      int at = Math.min(rnd.nextInt(k), rnd.nextInt(k));
      loads.get(at).add(load);
    }
    return new Fleet(counts, loads);
  }

  private static TypePlan plan(Fleet f, Map<String, Double> loadsOut, List<String> idsOut, List<Integer> homeOut) {
    TypePlan plan = new TypePlan(10);
    int r = 0;
    for (int i = 0; i < f.counts().length; i++) {
      plan.restoreInstance(i, Math.max(f.counts()[i], f.loads().get(i).size()), 0);
    }
    for (int i = 0; i < f.counts().length; i++) {
      for (double load : f.loads().get(i)) {
        String id = "r" + (r++);
        plan.restorePlacement(id, i);
        loadsOut.put(id, load);
        idsOut.add(id);
        homeOut.add(i);
      }
    }
    return plan;
  }

  /** The fewest moves of any assignment within counts and band; -1 when none reaches the band. */
  private static int optimum(TypePlan plan, List<String> ids, List<Integer> home, Map<String, Double> loads) {
    int k = plan.instances().size();
    int[] counts = new int[k];
    for (InstanceView v : plan.instances().values()) {
      counts[v.id()] = v.count();
    }
    double total = 0;
    for (double l : loads.values()) {
      total += l;
    }
    double mean = total / k;
    int n = ids.size();
    int[] at = new int[n];
    int best = -1;
    long combos = (long) Math.pow(k, n);
    for (long c = 0; c < combos; c++) {
      long x = c;
      int moves = 0;
      double[] load = new double[k];
      int[] used = new int[k];
      for (int r = 0; r < n; r++) {
        at[r] = (int) (x % k);
        x /= k;
        load[at[r]] += loads.get(ids.get(r));
        used[at[r]]++;
        if (at[r] != home.get(r)) {
          moves++;
        }
      }
      if (best >= 0 && moves >= best) {
        continue;
      }
      boolean ok = true;
      for (int i = 0; i < k && ok; i++) {
        // an instance over its count may keep what it had but take nothing: counts were raised to hold the start
        ok = used[i] <= counts[i] && load[i] <= mean * (1 + BAND) + 1e-9 && load[i] >= mean * (1 - BAND) - 1e-9;
      }
      if (ok) {
        best = moves;
      }
    }
    return best;
  }

  @Test
  void greedyIsOptimalOnMostSmallFleetsAndNeverMoreThanThreeMovesAbove() {
    Random rnd = new Random(SEED);
    int cases = 0;
    int reachable = 0;
    int optimal = 0;
    int reachedWhenReachable = 0;
    int worstExcess = 0;
    for (int t = 0; t < 3000; t++) {
      Fleet f = fleet(rnd);
      Map<String, Double> loads = new HashMap<>();
      List<String> ids = new ArrayList<>();
      List<Integer> home = new ArrayList<>();
      TypePlan plan = plan(f, loads, ids, home);
      LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), BAND, 1.0);
      int opt = optimum(plan, ids, home, loads);
      cases++;
      Invariants.check(plan, result, loads, Set.of());
      if (opt < 0) {
        continue;
      }
      reachable++;
      if (!result.withinBand()) {
        continue;
      }
      reachedWhenReachable++;
      int moves = result.moves().size();
      assertTrue(moves >= opt, "the brute force missed a plan with " + moves + " moves: " + f);
      if (moves == opt) {
        optimal++;
      }
      worstExcess = Math.max(worstExcess, moves - opt);
    }
    System.out.printf("brute force: %d fleets, %d with a band-reaching plan, greedy reached the band in %d, "
        + "optimal in %d, worst excess %d moves%n", cases, reachable, reachedWhenReachable, optimal, worstExcess);
    // The figures of this seed (3000 fleets): 698 can reach the band, the greedy reaches it in 534 of
    // them (tight counts and one heavy resource defeat it in the rest), with the optimum in 508 and
    // never more than 3 moves above it. The bounds below are those figures, so a worse greedy fails.
    assertTrue(worstExcess <= 3, "worst excess " + worstExcess);
    assertTrue(optimal >= 0.95 * reachedWhenReachable, optimal + " optimal of " + reachedWhenReachable);
    assertTrue(reachedWhenReachable >= 0.76 * reachable, reachedWhenReachable + " reached of " + reachable);
  }

  @Test
  void equalLoadsMoveExactlyTheExcessOverTheBand() {
    Random rnd = new Random(SEED + 1);
    for (int t = 0; t < 500; t++) {
      int k = 2 + rnd.nextInt(4);
      TypePlan plan = new TypePlan(100);
      Map<String, Double> loads = new HashMap<>();
      List<String> ids = new ArrayList<>();
      List<Integer> home = new ArrayList<>();
      int r = 0;
      for (int i = 0; i < k; i++) {
        plan.restoreInstance(i, 100, 0);
        int n = rnd.nextInt(12);
        for (int j = 0; j < n; j++) {
          String id = "r" + (r++);
          plan.restorePlacement(id, i);
          loads.put(id, 1.0);
          ids.add(id);
          home.add(i);
        }
      }
      LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), BAND, 1.0);
      Invariants.check(plan, result, loads, Set.of());
      if (r <= 9 && k <= 3) {
        int opt = optimum(plan, ids, home, loads);
        if (opt >= 0) {
          assertTrue(result.withinBand());
          assertEquals(opt, result.moves().size(), "equal loads, " + k + " instances, " + r + " resources");
        }
      }
    }
  }
}
