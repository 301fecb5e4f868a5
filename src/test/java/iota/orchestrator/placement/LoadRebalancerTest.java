package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LoadRebalancerTest {

  /** Instance id -> loads of its resources; resource ids "i<instance>-<n>". */
  private static TypePlan plan(int count, long maxBytes, Map<String, Double> loads, double[]... perInstance) {
    TypePlan plan = new TypePlan(count, Integer.MAX_VALUE, maxBytes);
    for (int i = 0; i < perInstance.length; i++) {
      plan.restoreInstance(i, Math.max(count, perInstance[i].length), 0);
      for (int j = 0; j < perInstance[i].length; j++) {
        String id = "i" + i + "-" + j;
        plan.restorePlacement(id, i);
        loads.put(id, perInstance[i][j]);
      }
    }
    return plan;
  }

  @Test
  void hotInstanceShedsItsHeaviestFittingResourceToTheCoolest() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads, new double[] {8, 1, 1}, new double[] {2, 1}, new double[] {1});
    // total 14, mean 4.67, band [4.2, 5.13]: the 8 cannot move without overshooting, so 1s go
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10);
    Invariants.check(plan, result, loads, Set.of());
    assertFalse(result.moves().isEmpty());
    for (Move m : result.moves()) {
      assertEquals(1.0, loads.get(m.resource()));
    }
  }

  @Test
  void balancedFleetMovesNothing() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads, new double[] {5, 5}, new double[] {4, 6}, new double[] {9, 1.5});
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10);
    assertTrue(result.moves().isEmpty());
    assertTrue(result.withinBand());
  }

  @Test
  void aFleetInsideTheBandIsLeftAloneEvenNearItsEdge() {
    Map<String, Double> loads = new HashMap<>();
    // mean 10, the hottest at 10.95: inside 10 %, outside the 9 % the margin aims at once started
    TypePlan plan = plan(20, Long.MAX_VALUE, loads, ones(10, 1.095), ones(10, 0.9525), ones(10, 0.9525));
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10);
    assertTrue(result.moves().isEmpty(), "balancing starts only outside the band");
    assertTrue(LoadRebalancer.rebalance(plan, loads, Set.of(), 0.09).moves().size() > 0, "outside a 9 % band it would move");
  }

  @Test
  void onceStartedBalancingAimsInsideTheMarginSoNoiseDoesNotPushItOutAgain() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(40, Long.MAX_VALUE, loads, ones(16, 1), ones(10, 1), ones(10, 1), ones(4, 1));
    // mean 10: the first instance at 16, the last at 4; a margin of 1 stops at the band's edge
    LoadPlan edge = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10, 1.0);
    LoadPlan margin = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10);
    Invariants.check(plan, margin, loads, Set.of());
    assertEquals(11.0, edge.maxLoad(), 1e-9);
    assertTrue(margin.maxLoad() <= 10 * (1 + 0.10 * LoadRebalancer.BALANCE_MARGIN) + 1e-9, "max " + margin.maxLoad());
    assertTrue(margin.minLoad() >= 10 * (1 - 0.10 * LoadRebalancer.BALANCE_MARGIN) - 1e-9, "min " + margin.minLoad());
    assertTrue(margin.moves().size() > edge.moves().size(), "the margin costs moves now to save them later");
  }

  private static double[] ones(int n, double load) {
    double[] loads = new double[n];
    Arrays.fill(loads, load);
    return loads;
  }

  @Test
  void withoutLoadsNothingMoves() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads, new double[] {0, 0, 0, 0}, new double[] {});
    LoadPlan result = LoadRebalancer.rebalance(plan, Map.of(), Set.of(), 0.10);
    assertTrue(result.moves().isEmpty());
    assertTrue(result.withinBand());
  }

  @Test
  void aFullInstanceTakesNothingEvenWhenCoolest() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = new TypePlan(10);
    plan.restoreInstance(0, 10, 0);
    plan.restoreInstance(1, 1, 0);
    plan.restoreInstance(2, 10, 0);
    for (int j = 0; j < 6; j++) {
      plan.restorePlacement("a" + j, 0);
      loads.put("a" + j, 2.0);
    }
    plan.restorePlacement("b0", 1);
    loads.put("b0", 0.5);
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10);
    Invariants.check(plan, result, loads, Set.of());
    assertTrue(result.movesInto(1).isEmpty(), "instance 1 is at its count");
    assertFalse(result.movesInto(2).isEmpty());
  }

  @Test
  void theByteBudgetStopsAnInstanceTakingMore() {
    Map<String, Double> loads = new HashMap<>();
    // {"ids":["i0-0"]} is 16 bytes; 23 holds one six-byte id, not two
    TypePlan plan = plan(10, 23, loads, new double[] {3}, new double[] {3}, new double[] {});
    plan.restoreInstance(0, 10, 0);
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10);
    Invariants.check(plan, result, loads, Set.of());
    assertTrue(result.moves().size() <= 1);
    Map<String, Double> heavy = new HashMap<>();
    TypePlan tight = plan(10, 22, heavy, new double[] {3, 3}, new double[] {1});
    LoadPlan none = LoadRebalancer.rebalance(tight, heavy, Set.of(), 0.10);
    Invariants.check(tight, none, heavy, Set.of());
    assertTrue(none.moves().isEmpty(), "instance 1 has no byte room for a second id");
    assertFalse(none.withinBand());
  }

  @Test
  void drainingInstanceGivesEverythingAndTakesNothing() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads, new double[] {1, 1}, new double[] {5, 3, 1, 1}, new double[] {1});
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(1), 0.10);
    Invariants.check(plan, result, loads, Set.of(1));
    assertEquals(4, result.movesOutOf(1).size());
    assertTrue(result.movesInto(1).isEmpty());
    assertTrue(result.unplaced().isEmpty());
  }

  @Test
  void drainingWithNoRoomElsewhereReportsTheResourcesLeft() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = new TypePlan(10);
    plan.restoreInstance(0, 1, 0);
    plan.restoreInstance(1, 10, 0);
    for (String r : List.of("x", "y", "z")) {
      plan.restorePlacement(r, 1);
      loads.put(r, 1.0);
    }
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(1), 0.10);
    Invariants.check(plan, result, loads, Set.of(1));
    assertEquals(1, result.moves().size());
    assertEquals(2, result.unplaced().size());
  }

  @Test
  void scaleDownEmptiesTheHighestIdsAndDeletesThemAfterTheMoves() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads, new double[] {1, 1}, new double[] {1, 1}, new double[] {2}, new double[] {1, 1});
    LoadPlan result = LoadRebalancer.scaleDown(plan, loads, Set.of(), 2, 0.10);
    Invariants.check(plan, result, loads, Set.of());
    assertEquals(Set.of(2, 3), result.removed());
    assertEquals(Set.of(2, 3), result.givers());
    Delta moved = plan.applyMoves(result.moves());
    assertEquals(Set.of(0, 1, 2, 3), moved.changed());
    Delta deleted = plan.deleteInstances(result.removed());
    assertEquals(Set.of(2, 3), deleted.deleted());
    assertEquals(List.of(0, 1), List.copyOf(plan.instances().keySet()));
    assertEquals(7, plan.resourceCount());
    assertEquals(1, plan.instance(0).reload());
  }

  @Test
  void newResourceGoesToTheCoolestInstanceWithRoom() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = new TypePlan(10);
    plan.restoreInstance(0, 10, 0);
    plan.restoreInstance(1, 1, 0);
    plan.restoreInstance(2, 10, 0);
    plan.restoreInstance(3, 10, 0);
    plan.restorePlacement("a", 0);
    loads.put("a", 5.0);
    plan.restorePlacement("b", 1);
    loads.put("b", 0.1);
    plan.restorePlacement("c", 2);
    loads.put("c", 3.0);
    plan.restorePlacement("d", 3);
    loads.put("d", 1.0);
    assertEquals(Optional.of(3), LoadRebalancer.coolest(plan, loads, Set.of(), "new"), "1 is full");
    assertEquals(Optional.of(2), LoadRebalancer.coolest(plan, loads, Set.of(3), "new"), "3 is draining");
    assertEquals(Set.of(3), plan.addTo("new", 3).changed());
    assertEquals(1, plan.instance(3).reload());
    assertEquals(Optional.of(3), plan.instanceOf("new"));
  }

  @Test
  void movesAreMakeBeforeBreakExpressible() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads, new double[] {4, 4, 4, 1}, new double[] {}, new double[] {1});
    LoadPlan result = LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10);
    // Step one: each receiver lists its old resources plus its incoming ones, givers unchanged: every
    // resource is on at least one instance. Step two: final states.
    Map<String, Integer> listed = new TreeMap<>();
    for (InstanceView v : plan.instances().values()) {
      for (String r : v.resources()) {
        listed.merge(r, 1, Integer::sum);
      }
      if (result.receivers().contains(v.id())) {
        for (String r : result.movesInto(v.id())) {
          listed.merge(r, 1, Integer::sum);
        }
      }
    }
    for (Move m : result.moves()) {
      assertEquals(2, listed.get(m.resource()), m + " is on giver and receiver after step one");
    }
    plan.applyMoves(result.moves());
    for (Move m : result.moves()) {
      assertEquals(Optional.of(m.to()), plan.instanceOf(m.resource()));
    }
  }

  @Test
  void applyMovesRefusesAStaleMoveAndAppliesNothing() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads, new double[] {1, 1}, new double[] {});
    var before = Plans.snapshot(plan);
    try {
      plan.applyMoves(List.of(new Move("i0-0", 0, 1), new Move("i0-1", 1, 0)));
    } catch (IllegalArgumentException expected) {
      assertEquals(before, Plans.snapshot(plan));
      return;
    }
    throw new AssertionError("a move from the wrong instance was applied");
  }

  @Test
  void randomFleetsKeepEveryRuleAndReachTheBandWhenResourcesAreSmall() {
    Random rnd = new Random(4242L);
    for (int t = 0; t < 400; t++) {
      int k = 2 + rnd.nextInt(12);
      TypePlan plan = new TypePlan(1000, Integer.MAX_VALUE, rnd.nextBoolean() ? Long.MAX_VALUE : 2000);
      Map<String, Double> loads = new HashMap<>();
      int resources = 0;
      for (int i = 0; i < k; i++) {
        plan.restoreInstance(i, 200, 0);
      }
      int n = 50 + rnd.nextInt(400);
      boolean small = rnd.nextBoolean();
      for (int r = 0; r < n; r++) {
        int at = Math.min(rnd.nextInt(k), rnd.nextInt(k));
        String id = "r" + r;
        if (plan.instance(at).used() >= 200) {
          continue;
        }
        plan.restorePlacement(id, at);
        loads.put(id, small ? 1 + rnd.nextDouble() : (rnd.nextInt(20) == 0 ? 30 : 1) * rnd.nextDouble());
        resources++;
      }
      Set<Integer> draining = rnd.nextInt(4) == 0 ? Set.of(rnd.nextInt(k)) : Set.of();
      LoadPlan result = LoadRebalancer.rebalance(plan, loads, draining, 0.10);
      Invariants.check(plan, result, loads, draining);
      if (small && plan.maxBytes() == Long.MAX_VALUE && result.unplaced().isEmpty() && resources / k >= 20) {
        assertTrue(result.withinBand(), "case " + t + ": " + result.maxOverMean());
      }
      assertEquals(result, LoadRebalancer.rebalance(plan, loads, draining, 0.10), "deterministic");
    }
  }

  @Test
  void aSkewedFleetConvergesIntoTheBandOverRounds() {
    // 20 instances, 2,000 resources: 20 of them 20x the others, placed so the hot ones crowd on a few
    // instances. Each round: measure (idle + true loads), estimate, rebalance, apply.
    Random rnd = new Random(77L);
    int k = 20;
    TypePlan plan = new TypePlan(1000);
    Map<String, Double> truth = new HashMap<>();
    for (int i = 0; i < k; i++) {
      plan.restoreInstance(i, 1000, 0);
    }
    for (int r = 0; r < 2000; r++) {
      String id = String.format("t%04d", r);
      boolean hot = r < 20;
      plan.restorePlacement(id, hot ? r % 3 : rnd.nextInt(k));
      truth.put(id, hot ? 4.0 : 0.2);
    }
    LoadEstimator estimator = new LoadEstimator(50, 7_500);
    double first = 0;
    double last = 0;
    int rounds = 0;
    for (int round = 0; round < 60; round++) {
      long ts = 1_000_000L + round * 15_000L;
      Map<Integer, Double> usage = new TreeMap<>();
      double max = 0;
      double sum = 0;
      for (InstanceView v : plan.instances().values()) {
        double load = 0;
        for (String r : v.resources()) {
          load += truth.get(r);
        }
        usage.put(v.id(), 50 + load);
        max = Math.max(max, load);
        sum += load;
      }
      last = max / (sum / k);
      if (round == 0) {
        first = last;
      }
      if (last <= 1.10 + 1e-9) {
        rounds = round;
        break;
      }
      estimator.observe(ts, usage);
      LoadPlan result = LoadRebalancer.rebalance(plan, estimator.loads(plan), Set.of(), 0.10);
      estimator.moved(ts, result.moves(), plan);
      plan.applyMoves(result.moves());
    }
    assertTrue(first > 2, "the fleet starts skewed: " + first);
    assertTrue(last <= 1.10 + 1e-9, "true max/mean after 40 rounds: " + last);
    // under 25 rounds with this seed: a measurement per pod cannot tell a hot resource from the cold ones
    // beside it, so the hot instances learn which of theirs are hot only as others move away.
    assertTrue(rounds > 0 && rounds <= 25, "converged in " + rounds + " rounds");
  }

  /** 20 instances of 1,000 slots, 2,000 resources of load 0.2, 93 to 107 per instance: true max/mean 1.07. */
  private static NoisyFleet steadyFleet(long halfLife, boolean tolerateNoise) {
    TypePlan plan = new TypePlan(1000);
    NoisyFleet fleet = new NoisyFleet(plan, halfLife, 0.05, tolerateNoise, 20261202L);
    int n = 0;
    for (int i = 0; i < 20; i++) {
      plan.restoreInstance(i, 1000, 0);
      int count = 93 + (i * 7) % 15;
      for (int j = 0; j < count; j++) {
        String id = String.format("t%04d", n++);
        plan.restorePlacement(id, i);
        fleet.truth.put(id, 0.2);
      }
    }
    return fleet;
  }

  @Test
  void aSteadyNoisyFleetMakesNoMovesOverAnHour() {
    NoisyFleet fleet = steadyFleet(60_000, true);
    assertTrue(fleet.spread() > 1.06, "close to the band's edge: " + fleet.spread());
    for (int r = 0; r < 240; r++) {
      fleet.round();
    }
    assertEquals(0, fleet.moves, "moves in 240 rounds of +-5 % jitter");
    double noise = fleet.estimator.noise(NoisyFleet.ROUND);
    assertTrue(noise > 0.003 && noise < 0.02, "the jitter left after smoothing is seen: " + noise);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void aFreshFleetDoesNotChaseItsFirstSamples(long seed) {
    // A small embedded fleet moved resources right after it started: its first samples, with no
    // jitter seen yet, looked like imbalance (5 to 18 moves in its first two rounds at this jitter).
    TypePlan plan = new TypePlan(1000);
    NoisyFleet fleet = new NoisyFleet(plan, 60_000, 0.25, true, seed);
    int n = 0;
    for (int i = 0; i < 10; i++) {
      plan.restoreInstance(i, 1000, 0);
      for (int j = 0; j < 38; j++) {
        String id = String.format("t%04d", n++);
        plan.restorePlacement(id, i);
        fleet.truth.put(id, 0.2);
      }
    }
    for (int r = 0; r < 40; r++) {
      fleet.round();
    }
    assertEquals(0, fleet.moves, "moves in the first 40 rounds of a balanced fleet with +-25 % jitter");
  }

  @Test
  void withoutSmoothingOrNoiseToleranceTheSameFleetChasesItsJitter() {
    // the cause of the churn: a fresh split each round plus a band test that believes every sample
    // (on ElasticBenchmark's 61 instances, 602 moves an hour; here, with 20, fewer but not none)
    NoisyFleet fleet = steadyFleet(7_500, false);
    for (int r = 0; r < 240; r++) {
      fleet.round();
    }
    assertTrue(fleet.moves > 0, "moves in 240 rounds: " + fleet.moves);
  }

  @Test
  void aFleetWideStepIsNoImbalance() {
    NoisyFleet fleet = steadyFleet(60_000, true);
    for (int r = 0; r < 20; r++) {
      fleet.round();
    }
    fleet.truth.replaceAll((id, load) -> load * 2);
    for (int r = 0; r < 20; r++) {
      fleet.round();
    }
    assertEquals(0, fleet.moves, "moves after every pod's load doubled");
  }

  @Test
  void aHotResourceMakesItsInstanceShedOthersWithinAFewRounds() {
    NoisyFleet fleet = steadyFleet(60_000, true);
    for (int r = 0; r < 20; r++) {
      fleet.round();
    }
    String hot = fleet.plan.instance(0).resources().first();
    fleet.truth.put(hot, 8.0); // its instance goes from about 19 to 27, 40 % above the mean
    int shedAt = -1;
    for (int r = 1; r <= 30 && shedAt < 0; r++) {
      for (Move m : fleet.round()) {
        if (m.from() == 0) {
          shedAt = r;
        }
      }
    }
    assertTrue(shedAt > 0 && shedAt <= 5, "instance 0 shed others in round " + shedAt);
    for (int r = 0; r < 30; r++) {
      fleet.round();
    }
    assertTrue(fleet.spread() <= 1.15, "true max/mean after 30 more rounds: " + fleet.spread());
    assertEquals(Optional.of(0), fleet.plan.instanceOf(hot), "the hot one stays; others make room");
  }

  @ParameterizedTest(name = "{0} instances, noise {1}")
  @CsvSource({"5, 0", "7, 0", "5, 0.05", "7, 0.05"})
  void aHotResourceThatMovedStaysWhileItsNewInstanceShedsOthers(int instances, double noise) {
    // issue 12: 400 Things of 2m and one of 60m; moved with its old instance's average share, the hot
    // one looked light wherever it went, its new instance hot for all of its resources, and it moved
    // on every few rounds (8 to 15 times in these 60 rounds before the arrivals took their surprise)
    TypePlan plan = new TypePlan(1000);
    NoisyFleet fleet = new NoisyFleet(plan, 60_000, noise, true, 12L + instances);
    // as in the end-to-end test, the pool grew to its size, so most resources have moved once already
    for (int i = 0; i < 2; i++) {
      plan.restoreInstance(i, 1000, 0);
    }
    for (int r = 0; r < 400; r++) {
      String id = String.format("t%03d", r);
      plan.restorePlacement(id, r % 2);
      fleet.truth.put(id, 2.0);
    }
    for (int r = 0; r < 10; r++) {
      fleet.round();
    }
    plan.createInstances(instances - 2, 1000);
    for (int r = 0; r < 20; r++) {
      fleet.round();
    }
    // it heats up; a few rounds later a re-plan moves it as the heaviest of its hot instance, with that
    // instance's average share (the end-to-end test's first move)
    String hot = "t007";
    fleet.truth.put(hot, 60.0);
    for (int r = 0; r < 4; r++) {
      fleet.round();
    }
    int from = plan.instanceOf(hot).orElseThrow();
    List<Move> first = List.of(new Move(hot, from, (from + 1) % instances));
    fleet.estimator.moved(fleet.now, first, plan);
    plan.applyMoves(first);
    int hotMoves = 0;
    for (int r = 0; r < 60; r++) {
      hotMoves += (int) fleet.round().stream().filter(m -> m.resource().equals(hot)).count();
    }
    assertTrue(hotMoves <= 1, "the hot resource moved " + hotMoves + " times");
    InstanceView holder = plan.instance(plan.instanceOf(hot).orElseThrow());
    assertTrue(holder.used() < 400.0 / instances, "its instance holds " + holder.used() + " resources");
    assertTrue(fleet.spread() <= 1.15, "true max/mean: " + fleet.spread());
  }

  @Test
  void newEmptyInstancesTakeWorkInTheNextRound() {
    NoisyFleet fleet = steadyFleet(60_000, true);
    for (int r = 0; r < 20; r++) {
      fleet.round();
    }
    fleet.plan.createInstances(5, 1000);
    List<Move> moves = fleet.round();
    assertTrue(moves.stream().allMatch(m -> m.to() >= 20), "every move goes to a new instance");
    double mean = 0;
    for (InstanceView v : fleet.plan.instances().values()) {
      mean += fleet.trueLoad(v) / fleet.plan.instances().size();
    }
    for (int id = 20; id < 25; id++) {
      double load = fleet.trueLoad(fleet.plan.instance(id));
      assertTrue(load >= 0.85 * mean, "instance " + id + " at " + load + " of mean " + mean);
    }
    // about a fifth of the pool moved: the excess the new instances had to take, not more
    assertTrue(moves.size() <= 420, "moves " + moves.size());
  }

  @Test
  void aToleranceForJitterDelaysTheStartButNotADrain() {
    Map<String, Double> loads = new HashMap<>();
    TypePlan plan = plan(10, Long.MAX_VALUE, loads,
        new double[] {1, 1, 1, 1, 1, 1.2}, new double[] {1, 1, 1, 1, 1}, new double[] {1, 1, 1, 1, 1},
        new double[] {1, 1, 1, 1, 1});
    // mean 21.2 / 4 = 5.3; 6.2 is 17 % above
    assertTrue(LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10, 0.9, 0.10).moves().isEmpty(), "within band + tolerance");
    assertFalse(LoadRebalancer.rebalance(plan, loads, Set.of(), 0.10, 0.9, 0.02).moves().isEmpty(), "beyond it");
    LoadPlan drained = LoadRebalancer.rebalance(plan, loads, Set.of(3), 0.10, 0.9, 0.10);
    Invariants.check(plan, drained, loads, Set.of(3));
    assertEquals(5, drained.movesOutOf(3).size(), "a draining instance is emptied whatever the tolerance");
  }
}
