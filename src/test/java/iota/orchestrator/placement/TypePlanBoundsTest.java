package iota.orchestrator.placement;

import static iota.orchestrator.placement.Plans.ids;
import static iota.orchestrator.placement.Plans.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.EncodedIds;
import iota.orchestrator.model.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pool bound ({@code maxInstances}) and the byte budget of an instance's resources znode. */
class TypePlanBoundsTest {
  private static final long ROOMY = 1_000_000;

  /** The bytes the executor writes for the instance's resources znode. */
  private static int written(InstanceView view) {
    return Json.bytes(new Assignment.Resources(List.copyOf(view.resources()))).length;
  }

  /** A budget that holds exactly {@code n} ids of {@code length} characters (ASCII). */
  private static long budgetFor(int n, int length) {
    return EncodedIds.znodeLength(n, (long) n * (length + 2));
  }

  @Test
  void aBigBulkCreateNeverGrowsThePoolBeyondMaxInstances() {
    TypePlan plan = new TypePlan(1, 5, ROOMY);
    plan.createInstances(3, 1);

    Delta delta = plan.addAll(ids("t", 0, 200));

    assertEquals(5, plan.instances().size());
    assertEquals(set(3, 4), delta.created());
    assertEquals(200, plan.resourceCount(), "nothing is left unplaced");
    assertEquals(List.of(), delta.refused());
    assertEquals(195, plan.beyondCapacity());
    for (InstanceView v : plan.instances().values()) {
      assertEquals(40, v.used(), "overflow spreads to the least loaded: " + v);
    }
  }

  @Test
  void singleAddsAtTheMaximumGoToTheLeastLoadedInstanceBeyondItsCount() {
    TypePlan plan = new TypePlan(1, 3, ROOMY);
    plan.restoreInstance(0, 1, 0);
    plan.restoreInstance(1, 1, 0);
    plan.restoreInstance(2, 1, 0);
    List.of("a", "b").forEach(r -> plan.restorePlacement(r, 0));
    plan.restorePlacement("c", 1);
    List.of("d", "e", "f").forEach(r -> plan.restorePlacement(r, 2));

    Delta delta = plan.add("x");

    assertEquals(Optional.of(1), plan.instanceOf("x"));
    assertEquals(set(1), delta.changed());
    assertEquals(set(), delta.created());
    assertEquals(1, plan.instance(1).reload());
    assertEquals(1 + 1 + 2, plan.beyondCapacity());
  }

  @Test
  void anInstanceWithRoomIsPreferredToGrowingAndGrowingToOverflow() {
    TypePlan plan = new TypePlan(2, 3, ROOMY);
    plan.restoreInstance(0, 1, 0);
    plan.restoreInstance(1, 3, 0);
    plan.restorePlacement("a", 0);
    List.of("b", "c").forEach(r -> plan.restorePlacement(r, 1));

    assertEquals(Optional.of(1), plan.add("x").changed().isEmpty() ? Optional.empty() : plan.instanceOf("x"));
    Delta grown = plan.add("y");
    assertEquals(set(2), grown.created());
    assertEquals(0, plan.beyondCapacity());
  }

  @Test
  void aPoolLargerThanTheBoundKeepsItsInstancesButDoesNotGrow() {
    TypePlan plan = Plans.restored(1, 1, Map.of(0, List.of("a"), 1, List.of("b"), 2, List.of("c"), 3, List.of("d")));
    plan.maxInstances(3);

    Delta delta = plan.add("x");

    assertEquals(4, plan.instances().size());
    assertEquals(set(), delta.created());
    assertEquals(Optional.of(0), plan.instanceOf("x"));
  }

  @Test
  void theAutomaticPlanIsCutAtTheBound() {
    TypePlan plan = new TypePlan(5, 4, ROOMY);
    assertEquals(set(0, 1, 2, 3), plan.createInstances(10, 5).created());
  }

  @Test
  void anOrchestrateSetsTheBoundForLaterGrowth() throws SizingException {
    TypePlan plan = new TypePlan(5000);
    plan.createInstances(10, 5000);
    plan.addAll(ids("a", 0, 3));

    plan.orchestrate(3, 5, 1);
    plan.addAll(ids("t", 0, 200));

    assertEquals(5, plan.instances().size());
    assertEquals(5, plan.maxInstances());
    assertEquals(203, plan.resourceCount());
  }

  @Test
  void anInstanceIsFullWhenItsZnodeWouldPassTheByteBudget() {
    // Room for three 100-character ids per instance, far below the count of 1000.
    TypePlan plan = new TypePlan(1000, 10, budgetFor(3, 100));
    plan.createInstances(1, 1000);
    List<String> longIds = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      longIds.add(String.format("%03d", i) + "x".repeat(97));
    }

    Delta delta = plan.addAll(longIds);

    assertEquals(set(1, 2), delta.created());
    assertEquals(3, plan.instance(0).used());
    assertEquals(3, plan.instance(1).used());
    assertEquals(1, plan.instance(2).used());
    for (InstanceView v : plan.instances().values()) {
      assertTrue(written(v) <= plan.maxBytes(), v + " writes " + written(v));
      assertEquals(written(v), TypePlan.znodeBytes(v));
    }
    assertEquals(0, plan.beyondCapacity(), "full by bytes is not over the count");
  }

  @Test
  void aShortIdStillFitsWhereALongOneDoesNot() {
    TypePlan plan = new TypePlan(1000, 1, budgetFor(1, 100) + 10);
    plan.createInstances(1, 1000);
    plan.add("x".repeat(100));

    Delta longOne = plan.add("y".repeat(100));
    Delta shortOne = plan.add("z");

    assertEquals(List.of("y".repeat(100)), longOne.refused());
    assertEquals(set(0), shortOne.changed());
    assertEquals(2, plan.instance(0).used());
  }

  @Test
  void whenNoInstanceHasByteRoomAtTheMaximumTheResourceIsRefusedAndNotPlaced() {
    TypePlan plan = new TypePlan(1, 2, budgetFor(2, 12));
    plan.createInstances(2, 1);
    List<String> all = ids("resource-", 0, 7);

    Delta delta = plan.addAll(all);

    assertEquals(List.of("resource-004", "resource-005", "resource-006"), delta.refused());
    assertEquals(4, plan.resourceCount());
    assertEquals(Optional.empty(), plan.instanceOf("resource-005"));
    assertEquals(2, plan.beyondCapacity(), "two went beyond their count of 1 while bytes allowed");
    Delta again = plan.add("resource-009");
    assertEquals(List.of("resource-009"), again.refused());
    assertTrue(again.changed().isEmpty());
    // A removal frees bytes, and the next resource takes them.
    plan.remove("resource-000");
    assertEquals(List.of(), plan.add("resource-009").refused());
  }

  @Test
  void theByteSizeFollowsRemovalsAndNonAsciiIds() {
    TypePlan plan = new TypePlan(100, 3, ROOMY);
    plan.createInstances(1, 100);
    List<String> odd = List.of("ü-é", "中文", "emoji-\uD83D\uDE00", "q\"uote", "back\\slash", "plain");
    plan.addAll(odd);
    assertEquals(written(plan.instance(0)), TypePlan.znodeBytes(plan.instance(0)));
    plan.removeAll(List.of("中文", "q\"uote"));
    assertEquals(written(plan.instance(0)), TypePlan.znodeBytes(plan.instance(0)));
    plan.removeAll(plan.instance(0).resources().stream().toList());
    assertEquals(written(plan.instance(0)), TypePlan.znodeBytes(plan.instance(0)));
  }

  @Test
  void aBulkOfTwoHundredThousandAtCapacityOneCompletes() {
    // Growth used to walk every instance id per new instance: quadratic, and unbounded by maxInstances.
    TypePlan plan = new TypePlan(1, 99, 900_000);
    plan.createInstances(10, 1);
    List<String> bulk = new ArrayList<>(200_000);
    for (int i = 0; i < 200_000; i++) {
      bulk.add("thing-" + i);
    }

    Delta delta = plan.addAll(bulk);

    assertEquals(99, plan.instances().size());
    assertEquals(200_000, plan.resourceCount());
    assertEquals(List.of(), delta.refused());
    assertEquals(200_000 - 99, plan.beyondCapacity());
  }

  @Test
  void orchestrateGrowsThePoolForTheIdsBytes() throws SizingException {
    TypePlan plan = new TypePlan(1000, 20, budgetFor(40, 50));
    plan.createInstances(1, 1000);
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      live.add(String.format("%03d", i) + "-".repeat(47));
    }

    Orchestration o = plan.orchestrate(live, 1, 20, 1000);

    assertEquals(3, o.report().instances(), "100 ids of which 40 fit an instance need 3 instances");
    assertEquals(100, plan.resourceCount());
    for (InstanceView v : plan.instances().values()) {
      assertTrue(written(v) <= plan.maxBytes(), v.toString());
    }
  }

  @Test
  void orchestrateFailsWhenTheBytesNeedMoreThanMaxInstancesAndLeavesThePlan() {
    TypePlan plan = new TypePlan(1000, 20, budgetFor(40, 50));
    plan.createInstances(1, 1000);
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      live.add(String.format("%03d", i) + "-".repeat(47));
    }
    var before = Plans.snapshot(plan);

    SizingException e = assertThrows(SizingException.class, () -> plan.orchestrate(live, 1, 4, 1000));

    // 200 such ids need 5 instances; the sizing keeps room for one longest id per instance, so 6.
    assertEquals("require instances more than the max: 6/4 (the ids need 6 instances of at most 2129 bytes)", e.getMessage());
    assertEquals(before, Plans.snapshot(plan));
  }

  @Test
  void orchestrateMovesIdsOffAnInstanceOverTheBudgetAndThenStaysPut() throws SizingException {
    // Count balance alone would put both long ids on one instance (ascending fill): too many bytes.
    TypePlan plan = new TypePlan(10, 10, budgetFor(1, 200) + 60);
    plan.restoreInstance(0, 10, 0);
    plan.restoreInstance(1, 10, 0);
    List.of("a-long-" + "x".repeat(193), "b-long-" + "x".repeat(193)).forEach(r -> plan.restorePlacement(r, 0));

    Orchestration first = plan.orchestrate(List.of("a-long-" + "x".repeat(193), "b-long-" + "x".repeat(193), "c", "d"), 2, 10, 10);
    for (InstanceView v : plan.instances().values()) {
      assertTrue(written(v) <= plan.maxBytes(), v.toString());
    }
    assertEquals(1, first.report().moved());
    Orchestration second = plan.orchestrate(2, 10, 10);
    assertEquals(0, second.report().moved(), "a plan within both limits is kept");
    assertTrue(second.delta().isEmpty());
  }

  @Test
  void aDeletedInstanceIsGoneForLookupsAndItsIdIsTakenAgain() {
    TypePlan plan = Plans.restored(5, 5, Map.of(0, List.of("a"), 1, List.of(), 2, List.of()));

    plan.deleteInstances(List.of(1));

    assertEquals(null, plan.instance(1));
    assertEquals(set(1), plan.createInstances(1, 5).created());
    assertEquals(1, plan.instance(1).id());
    assertEquals(0, plan.instance(1).used());
  }
}
