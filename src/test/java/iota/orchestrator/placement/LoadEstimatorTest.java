package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadEstimatorTest {

  private static TypePlan plan(Map<String, Integer> placements, int instances) {
    TypePlan plan = new TypePlan(100);
    for (int i = 0; i < instances; i++) {
      plan.restoreInstance(i, 100, 0);
    }
    placements.forEach(plan::restorePlacement);
    return plan;
  }

  @Test
  void usageAboveTheIdleBaseIsSplitEquallyAtFirst() {
    TypePlan plan = plan(Map.of("a", 0, "b", 0, "c", 0, "d", 0), 1);
    LoadEstimator e = new LoadEstimator(50, 30_000);
    e.observe(1000, Map.of(0, 90.0));
    assertEquals(10, e.loads(plan).get("a"), 1e-9);
    assertEquals(10, e.loads(plan).get("d"), 1e-9);
  }

  @Test
  void laterSamplesFollowWithTheHalfLifeOfSampleTime() {
    TypePlan plan = plan(Map.of("a", 0), 1);
    LoadEstimator e = new LoadEstimator(0, 30_000);
    e.observe(0, Map.of(0, 10.0));
    e.observe(30_000, Map.of(0, 30.0));
    assertEquals(20, e.loads(plan).get("a"), 1e-9, "one half-life: half-way");
    e.observe(30_000, Map.of(0, 1000.0));
    assertEquals(20, e.loads(plan).get("a"), 1e-9, "a sample no newer than the estimate changes nothing");
  }

  @Test
  void theSplitFollowsTheEstimatesSoAMovedHotResourceKeepsItsShare() {
    TypePlan plan = plan(Map.of("hot", 0, "cold1", 1, "cold2", 1), 2);
    LoadEstimator e = new LoadEstimator(0, 0);
    e.observe(0, Map.of(0, 10.0, 1, 2.0));
    List<Move> moves = List.of(new Move("hot", 0, 1));
    e.moved(0, moves, plan);
    plan.applyMoves(moves);
    assertEquals(10, e.loads(plan).get("hot"), 1e-9, "it carries its estimate");
    assertEquals(12, e.instances().get(1).work(), 1e-9, "and its instance's work with it");
    e.observe(1, Map.of(1, 12.0));
    assertEquals(10, e.loads(plan).get("hot"), 1e-9);
    assertEquals(1, e.loads(plan).get("cold1"), 1e-9);
  }

  @Test
  void usageBelowTheIdleBaseIsNoLoad() {
    TypePlan plan = plan(Map.of("a", 0), 1);
    LoadEstimator e = new LoadEstimator(50, 0);
    e.observe(0, Map.of(0, 20.0));
    assertEquals(0, e.loads(plan).get("a"));
    assertThrows(IllegalArgumentException.class, () -> e.observe(1, Map.of(0, -1.0)));
  }

  @Test
  void aChangeTheWholeFleetSharesIsNoJitter() {
    TypePlan plan = plan(Map.of("a", 0, "b", 1, "c", 2), 3);
    LoadEstimator e = new LoadEstimator(0, 60_000);
    for (int r = 0; r < 10; r++) {
      double level = r < 5 ? 10 : 20;
      e.observe(r * 15_000L, Map.of(0, level, 1, level, 2, level));
    }
    assertEquals(0, e.noise(15_000), 1e-12);
  }

  @Test
  void oneInstanceThatReallyChangesDoesNotRaiseTheNoiseOfAll() {
    TypePlan plan = plan(Map.of("a", 0, "b", 1, "c", 2), 3);
    LoadEstimator e = new LoadEstimator(0, 60_000);
    for (int r = 0; r < 10; r++) {
      e.observe(r * 15_000L, Map.of(0, r < 5 ? 10.0 : 20.0, 1, 10.0, 2, 10.0));
    }
    assertEquals(0, e.noise(15_000), 1e-12, "the median instance saw no jitter");
    assertTrue(e.instances().get(0).variance() > 0, "instance 0 did");
  }

  @Test
  void untilTwoDifferencesAreSeenANewFleetCarriesThePriorJitterOfOneSample() {
    LoadEstimator e = new LoadEstimator(0, 60_000);
    assertEquals(0, e.noise(15_000), "nothing measured");
    e.observe(0, Map.of(0, 10.0, 1, 10.0, 2, 10.0));
    assertEquals(LoadEstimator.PRIOR_JITTER, e.noise(15_000), 1e-12, "one sample: a whole sample's jitter, assumed");
    e.observe(15_000, Map.of(0, 10.0, 1, 10.0, 2, 10.0));
    double averaged = e.noise(15_000);
    assertTrue(averaged < LoadEstimator.PRIOR_JITTER && averaged > 0.8 * LoadEstimator.PRIOR_JITTER,
        "two samples average a little, the jitter is still assumed: " + averaged);
    e.observe(30_000, Map.of(0, 10.0, 1, 10.0, 2, 10.0));
    assertEquals(0, e.noise(15_000), 1e-12, "two differences of none: no jitter");
  }

  @Test
  void jitterPerPodIsSeenAndSmoothingShrinksIt() {
    TypePlan plan = plan(Map.of(), 20);
    java.util.Random rnd = new java.util.Random(3L);
    LoadEstimator slow = new LoadEstimator(0, 60_000);
    LoadEstimator fast = new LoadEstimator(0, 7_500);
    for (int r = 0; r < 200; r++) {
      java.util.TreeMap<Integer, Double> usage = new java.util.TreeMap<>();
      for (int i = 0; i < 20; i++) {
        usage.put(i, 100 * (1 + (rnd.nextDouble() * 2 - 1) * 0.05));
      }
      slow.observe(r * 15_000L, usage);
      fast.observe(r * 15_000L, usage);
    }
    // uniform +-5 % has a standard deviation of 2.9 %; a weight of 0.16 on the newest sample leaves 0.85 %
    assertEquals(0.0085, slow.noise(15_000), 0.002);
    assertTrue(fast.noise(15_000) > 0.02, "half a round's half-life keeps most of it: " + fast.noise(15_000));
  }

  @Test
  void aMoveWritesOnlyTheMovedWeightsAndBothInstances() {
    TypePlan plan = plan(Map.of("a", 0, "b", 0, "c", 1, "d", 1, "e", 2), 3);
    LoadEstimator e = new LoadEstimator(0, 60_000);
    e.observe(0, Map.of(0, 10.0, 1, 4.0, 2, 3.0));
    Map<Integer, LoadEstimator.InstanceLoad> instancesBefore = Map.copyOf(e.instances());
    Map<String, Double> loadsBefore = e.loads(plan);
    List<Move> moves = List.of(new Move("a", 0, 1));
    e.moved(15_000, moves, plan);
    plan.applyMoves(moves);
    assertEquals(Set.of("a"), e.weights().keySet(), "one weight written");
    assertEquals(instancesBefore.get(2), e.instances().get(2), "an instance the move did not touch is not rewritten");
    assertEquals(5, e.loads(plan).get("a"), 1e-9, "a carries its estimate");
    assertEquals(9, e.instances().get(1).work(), 1e-9);
    assertEquals(5, e.instances().get(0).work(), 1e-9);
    for (String r : List.of("b", "c", "d", "e")) {
      assertEquals(loadsBefore.get(r), e.loads(plan).get(r), 1e-9, r + " keeps its estimate");
    }
  }

  @Test
  void aMoveOntoANewInstanceKeepsItsEstimateUntilMeasured() {
    TypePlan plan = plan(Map.of("a", 0, "b", 0), 2);
    LoadEstimator e = new LoadEstimator(0, 15_000);
    e.observe(0, Map.of(0, 10.0));
    List<Move> moves = List.of(new Move("a", 0, 1));
    e.moved(0, moves, plan);
    plan.applyMoves(moves);
    assertEquals(5, e.loads(plan).get("a"), 1e-9);
    e.observe(15_000, Map.of(0, 5.0, 1, 7.0));
    assertEquals(6, e.loads(plan).get("a"), 1e-9, "one half-life from the carried 5 towards the measured 7");
  }

  @Test
  void forgettingAResourceTakesItsLoadOffItsInstance() {
    TypePlan plan = plan(Map.of("a", 0, "b", 0), 1);
    LoadEstimator e = new LoadEstimator(0, 60_000);
    e.observe(0, Map.of(0, 10.0));
    e.forget(List.of("a"), plan);
    plan.remove("a");
    assertEquals(5, e.loads(plan).get("b"), 1e-9);
  }

  @Test
  void aRestoreOfTheStoredStateGivesTheSameLoads() {
    TypePlan plan = plan(Map.of("a", 0, "b", 0, "c", 1), 2);
    LoadEstimator e = new LoadEstimator(0, 60_000);
    e.observe(0, Map.of(0, 10.0, 1, 2.0));
    List<Move> moves = List.of(new Move("a", 0, 1));
    e.moved(0, moves, plan);
    plan.applyMoves(moves);
    e.observe(15_000, Map.of(0, 6.0, 1, 6.0));
    LoadEstimator copy = new LoadEstimator(0, 60_000);
    e.instances().forEach(copy::restoreInstance);
    e.weights().forEach(copy::restoreWeight);
    assertEquals(e.loads(plan), copy.loads(plan));
  }

  @Test
  void whatAnInstanceMeasuresBeyondItsPredictionIsItsArrivalsDoing() {
    // hot carries its old instance's share of 2 onto instance 1, where it really is 20
    TypePlan plan = plan(Map.of("hot", 0, "c0", 0, "c1", 1, "c2", 1, "c3", 2), 3);
    LoadEstimator e = new LoadEstimator(0, 60_000);
    e.observe(0, Map.of(0, 4.0, 1, 4.0, 2, 2.0));
    List<Move> moves = List.of(new Move("hot", 0, 1));
    e.moved(0, moves, plan);
    plan.applyMoves(moves);
    assertEquals(Map.of("hot", 2.0), e.instances().get(1).arrivals());
    Set<String> reweighed = e.observe(15_000, Map.of(0, 2.0, 1, 24.0, 2, 2.0));
    assertEquals(Set.of("hot"), reweighed);
    assertEquals(20, e.loads(plan).get("hot"), 1e-9, "a surprise with no jitter seen is taken in at once");
    assertEquals(2, e.loads(plan).get("c1"), 1e-9, "the resources measured there before keep theirs");
    assertEquals(Map.of(), e.instances().get(1).arrivals(), "arrivals last until the next sample");
  }

  @Test
  void anArrivalsSurpriseWithinTheJitterIsSmoothed() {
    TypePlan plan = plan(Map.of("a", 0, "b", 0, "c", 1, "d", 1, "e", 2, "f", 3, "g", 4), 5);
    LoadEstimator e = new LoadEstimator(0, 15_000);
    for (int r = 0; r < 40; r++) {
      double wobble = r % 2 == 0 ? 1.1 : 0.9;
      e.observe(r * 15_000L, Map.of(0, 10.0 * wobble, 1, 10.0 / wobble, 2, 10.0 * wobble, 3, 10.0 / wobble, 4, 10.0));
    }
    double before = e.instances().get(1).work();
    List<Move> moves = List.of(new Move("a", 0, 1));
    e.moved(585_000, moves, plan);
    plan.applyMoves(moves);
    double carried = e.loads(plan).get("a");
    e.observe(600_000, Map.of(0, e.instances().get(0).work(), 1, before + carried + 0.1, 2, e.instances().get(2).work(),
        3, e.instances().get(3).work(), 4, 10.0));
    assertEquals(carried + 0.05, e.loads(plan).get("a"), 1e-6, "half of a surprise well inside the jitter");
  }

  @Test
  void theArrivalsAreStoredStateAndOldStateHasNone() throws Exception {
    TypePlan plan = plan(Map.of("a", 0, "b", 0, "c", 1), 2);
    LoadEstimator e = new LoadEstimator(0, 60_000);
    e.observe(0, Map.of(0, 10.0, 1, 2.0));
    List<Move> moves = List.of(new Move("a", 0, 1));
    e.moved(0, moves, plan);
    plan.applyMoves(moves);
    LoadEstimator copy = new LoadEstimator(0, 60_000);
    for (Map.Entry<Integer, LoadEstimator.InstanceLoad> l : e.instances().entrySet()) {
      byte[] json = iota.orchestrator.model.Json.bytes(l.getValue());
      copy.restoreInstance(l.getKey(), iota.orchestrator.model.Json.MAPPER.readValue(json, LoadEstimator.InstanceLoad.class));
    }
    e.weights().forEach(copy::restoreWeight);
    e.observe(15_000, Map.of(0, 5.0, 1, 30.0));
    copy.observe(15_000, Map.of(0, 5.0, 1, 30.0));
    assertEquals(e.loads(plan), copy.loads(plan));
    assertEquals(e.weights(), copy.weights());

    LoadEstimator.InstanceLoad old = iota.orchestrator.model.Json.MAPPER.readValue(
        "{\"work\":4.0,\"variance\":0.0,\"at\":7}", LoadEstimator.InstanceLoad.class);
    assertEquals(new LoadEstimator.InstanceLoad(4, 0, 7, Map.of()), old);
  }
}
