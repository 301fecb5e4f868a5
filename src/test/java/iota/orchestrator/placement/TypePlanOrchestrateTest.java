package iota.orchestrator.placement;

import static iota.orchestrator.placement.Plans.ids;
import static iota.orchestrator.placement.Plans.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TypePlanOrchestrateTest {

  /** initInstances = k with a huge resourcePerInstance pins the pool size to k for small counts. */
  private static Orchestration orchestrateTo(TypePlan plan, int k) throws SizingException {
    return plan.orchestrate(k, 100, 1_000_000);
  }

  @Test
  void balancedPlanWithTheSameInstancesMovesNothingAndChangesNothing() throws SizingException {
    TypePlan plan = Plans.restored(4, 4, Map.of(0, ids("a", 0, 4), 1, ids("b", 0, 4), 2, ids("c", 0, 3)));
    var before = Plans.snapshot(plan);

    Orchestration o = plan.orchestrate(3, 10, 100);

    assertEquals(new Report(3, 4, 0, 11, List.of(), List.of(), 4, 3), o.report());
    assertTrue(o.delta().isEmpty());
    assertEquals(before, Plans.snapshot(plan));
  }

  @Test
  void capacityChangeAloneIsAChangeWithoutReload() throws SizingException {
    TypePlan plan = Plans.restored(10, 10, Map.of(0, ids("a", 0, 4), 1, ids("b", 0, 4), 2, ids("c", 0, 3)));

    Orchestration o = plan.orchestrate(3, 10, 100);

    assertEquals(set(0, 1, 2), o.delta().changed());
    assertEquals(0, o.report().moved());
    for (InstanceView v : plan.instances().values()) {
      assertEquals(4, v.count());
      assertEquals(0, v.reload());
    }
    assertEquals(4, plan.capacity());
  }

  @Test
  void orchestratingTwiceIsANoOpTheSecondTime() throws SizingException {
    TypePlan plan = Plans.restored(5, 5, Map.of(0, ids("r", 0, 17), 3, ids("s", 0, 2)));
    plan.orchestrate(4, 10, 5);
    var after = Plans.snapshot(plan);

    Orchestration again = plan.orchestrate(4, 10, 5);

    assertEquals(0, again.report().moved());
    assertTrue(again.delta().isEmpty());
    assertEquals(after, Plans.snapshot(plan));
  }

  @Test
  void shrinkKeepsTheLowestIdsAndDeletesTheRest() throws SizingException {
    TypePlan plan =
        Plans.restored(
            9, 9,
            Map.of(0, ids("a", 0, 2), 1, ids("b", 0, 2), 2, ids("c", 0, 2), 5, ids("d", 0, 2), 7, List.of("x1", "x2")));

    Orchestration o = orchestrateTo(plan, 4);

    assertEquals(set(0, 1, 2, 5), new TreeSet<>(plan.instances().keySet()));
    assertEquals(set(7), o.delta().deleted());
    assertEquals(set(), o.delta().created());
    assertEquals(List.of("7"), o.report().deleted());
    // 10 over 4: instances 0 and 1 (ties on load, lowest ids) get 3; the orphans fill them in order.
    assertEquals(Optional.of(0), plan.instanceOf("x1"));
    assertEquals(Optional.of(1), plan.instanceOf("x2"));
    assertEquals(2, o.report().moved());
    assertEquals(8, o.report().kept());
    assertEquals(set(0, 1, 2, 5), o.delta().changed());
    assertEquals(1, plan.instance(0).reload());
    assertEquals(0, plan.instance(2).reload());
  }

  @Test
  void growthCreatesTheLowestFreeIds() throws SizingException {
    TypePlan plan =
        Plans.restored(
            9, 9,
            Map.of(0, ids("a", 0, 2), 1, ids("b", 0, 2), 2, ids("c", 0, 2), 5, ids("d", 0, 2), 7, ids("e", 0, 6)));

    Orchestration o = orchestrateTo(plan, 7);

    assertEquals(set(0, 1, 2, 3, 4, 5, 7), new TreeSet<>(plan.instances().keySet()));
    assertEquals(set(3, 4), o.delta().created());
    assertEquals(List.of("3", "4"), o.report().created());
    assertEquals(set(), o.delta().deleted());
    // 14 over 7 is 2 each: only instance 7 is over; it gives up its four greatest ids.
    assertEquals(ids("e", 0, 2), List.copyOf(plan.instance(7).resources()));
    assertEquals(List.of("e002", "e003"), List.copyOf(plan.instance(3).resources()));
    assertEquals(List.of("e004", "e005"), List.copyOf(plan.instance(4).resources()));
    assertEquals(4, o.report().moved());
    assertEquals(10, o.report().kept());
    assertEquals(set(0, 1, 2, 3, 4, 5, 7), o.delta().changed());
    assertEquals(1, plan.instance(3).reload());
    assertEquals(1, plan.instance(7).reload());
    assertEquals(0, plan.instance(0).reload());
  }

  @Test
  void createdInstanceWithoutResourcesIsChangedButNotReloaded() throws SizingException {
    TypePlan plan = Plans.restored(5, 5, Map.of(0, List.of("a")));

    Orchestration o = orchestrateTo(plan, 3);

    assertEquals(set(1, 2), o.delta().created());
    assertEquals(set(0, 1, 2), o.delta().changed());
    assertEquals(0, plan.instance(1).reload());
    assertEquals(0, plan.instance(0).reload());
    assertEquals(Optional.of(0), plan.instanceOf("a"));
    assertEquals(new Report(3, 1, 0, 1, List.of("1", "2"), List.of(), 1, 0), o.report());
  }

  @Test
  void largerTargetsGoToTheMostLoadedInstances() throws SizingException {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, ids("a", 0, 2), 1, ids("b", 0, 6), 2, ids("c", 0, 2)));

    Orchestration o = orchestrateTo(plan, 3);

    // 10 over 3: the one 4-slot goes to instance 1 (load 6), so only two resources move.
    assertEquals(2, o.report().moved());
    assertEquals(ids("b", 0, 4), List.copyOf(plan.instance(1).resources()));
    assertEquals(List.of("a000", "a001", "b004"), List.copyOf(plan.instance(0).resources()));
    assertEquals(List.of("b005", "c000", "c001"), List.copyOf(plan.instance(2).resources()));
  }

  @Test
  void tiesForTheLargerTargetGoToTheLowestIds() throws SizingException {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, ids("a", 0, 5), 1, ids("b", 0, 5), 2, List.of()));

    orchestrateTo(plan, 3);

    // 10 over 3: instances 0 and 1 tie at 5; instance 0 keeps 4, instance 1 keeps 3.
    assertEquals(4, plan.instance(0).used());
    assertEquals(3, plan.instance(1).used());
    assertEquals(3, plan.instance(2).used());
  }

  @Test
  void capacityIsSizedFromTheLiveCountAndAppliedEverywhere() throws SizingException {
    TypePlan plan = Plans.restored(5000, 5000, Map.of(0, ids("a", 0, 25)));

    Orchestration o = plan.orchestrate(10, 100, 5000);

    assertEquals(10, o.report().instances());
    assertEquals(3, o.report().resourcePerInstance());
    assertEquals(3, plan.capacity());
    for (InstanceView v : plan.instances().values()) {
      assertEquals(3, v.count());
      assertTrue(v.used() <= v.count());
    }
    assertEquals(3, o.report().maxLoad());
    assertEquals(2, o.report().minLoad());
  }

  @Test
  void liveSetDropsDeadResourcesAndPlacesNewOnes() throws SizingException {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, List.of("a", "b", "dead"), 1, List.of("c")));

    Orchestration o = plan.orchestrate(List.of("a", "b", "c", "new"), 2, 10, 100);

    assertEquals(Optional.empty(), plan.instanceOf("dead"));
    assertEquals(Optional.of(1), plan.instanceOf("new"));
    assertEquals(4, plan.resourceCount());
    assertEquals(0, o.report().moved());
    assertEquals(3, o.report().kept());
    assertEquals(1, plan.instance(0).reload());
    assertEquals(1, plan.instance(1).reload());
  }

  @Test
  void newResourcesAreNotCountedAsMoved() throws SizingException {
    TypePlan plan = new TypePlan(5);

    Orchestration o = plan.orchestrate(ids("r", 0, 12), 3, 10, 100);

    assertEquals(0, o.report().moved());
    assertEquals(0, o.report().kept());
    assertEquals(set(0, 1, 2), o.delta().created());
    assertEquals(ids("r", 0, 4), List.copyOf(plan.instance(0).resources()));
    assertEquals(ids("r", 8, 12), List.copyOf(plan.instance(2).resources()));
  }

  @Test
  void droppedResourcesOnDeletedInstancesAreNotMoved() throws SizingException {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, List.of("a"), 1, List.of("b"), 2, List.of("gone", "c")));

    Orchestration o = plan.orchestrate(List.of("a", "b", "c"), 2, 10, 100);

    assertEquals(List.of("2"), o.report().deleted());
    assertEquals(1, o.report().moved());
    assertEquals(2, o.report().kept());
    assertEquals(Optional.empty(), plan.instanceOf("gone"));
    assertEquals(Optional.of(0), plan.instanceOf("c"));
  }

  @Test
  void duplicatesInTheLiveCollectionCountOnce() throws SizingException {
    TypePlan plan = new TypePlan(5);
    Orchestration o = plan.orchestrate(List.of("a", "a", "b"), 1, 10, 100);
    assertEquals(2, plan.resourceCount());
    assertEquals(2, o.report().maxLoad());
  }

  @Test
  void sizingFailureLeavesThePlanUnchanged() {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, ids("a", 0, 9), 3, ids("b", 0, 2)));
    var before = Plans.snapshot(plan);

    SizingException e =
        assertThrows(SizingException.class, () -> plan.orchestrate(ids("n", 0, 40), 1, 3, 10));

    assertEquals("require instances more than the max: 5/3", e.getMessage());
    assertEquals(before, Plans.snapshot(plan));
    assertEquals(9, plan.capacity());
    assertEquals(11, plan.resourceCount());
    assertThrows(SizingException.class, () -> plan.orchestrate(1, 3, 2));
    assertEquals(before, Plans.snapshot(plan));
  }

  @Test
  void nullInTheLiveSetLeavesThePlanUnchanged() {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, ids("a", 0, 3)));
    var before = Plans.snapshot(plan);
    List<String> live = new ArrayList<>(ids("a", 0, 1));
    live.add(null);
    assertThrows(NullPointerException.class, () -> plan.orchestrate(live, 1, 10, 100));
    assertEquals(before, Plans.snapshot(plan));
  }

  @Test
  void emptyLiveSetEmptiesTheInstances() throws SizingException {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, ids("a", 0, 3), 1, ids("b", 0, 3)));

    Orchestration o = plan.orchestrate(List.of(), 1, 10, 100);

    assertEquals(new Report(1, 100, 0, 0, List.of(), List.of("1"), 0, 0), o.report());
    assertEquals(0, plan.resourceCount());
    assertEquals(1, plan.instance(0).reload());
  }

  @Test
  void incrementalAddsAfterOrchestrationUseTheNewCapacity() throws SizingException {
    TypePlan plan = new TypePlan(50);
    plan.orchestrate(ids("r", 0, 4), 2, 10, 100);
    assertEquals(3, plan.capacity());

    plan.add("x1");
    plan.add("x2");
    Delta third = plan.add("x3");

    assertEquals(set(2), third.created());
    assertEquals(3, plan.instance(2).count());
  }

  @Test
  void movedResourcesAreFoundAtTheirNewInstance() throws SizingException {
    TypePlan plan = Plans.restored(9, 9, Map.of(0, ids("a", 0, 8)));
    plan.orchestrate(4, 10, 100);
    for (InstanceView v : plan.instances().values()) {
      for (String r : v.resources()) {
        assertEquals(Optional.of(v.id()), plan.instanceOf(r));
      }
    }
    assertEquals(8, plan.resourceCount());
  }
}
