package iota.orchestrator.placement;

import static iota.orchestrator.placement.Plans.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TypePlanIncrementalTest {

  @Test
  void automaticPlanCreatesEmptyInstancesWithTheLowestIds() {
    TypePlan plan = new TypePlan(7);
    Delta delta = plan.createInstances(3, 5);

    assertEquals(set(0, 1, 2), delta.created());
    assertEquals(set(0, 1, 2), delta.changed());
    assertEquals(set(), delta.deleted());
    assertEquals(5, plan.capacity());
    for (InstanceView v : plan.instances().values()) {
      assertEquals(5, v.count());
      assertEquals(0, v.used());
      assertEquals(0, v.reload());
    }
  }

  @Test
  void automaticPlanFillsGapsInIds() {
    TypePlan plan = Plans.restored(5, 5, Map.of(1, List.of(), 3, List.of()));
    assertEquals(set(0, 2, 4), plan.createInstances(3, 5).created());
  }

  @Test
  void newResourceGoesToTheLeastLoadedInstance() {
    TypePlan plan = Plans.restored(10, 10, Map.of(0, List.of("a", "b"), 1, List.of("c"), 2, List.of("d", "e")));

    Delta delta = plan.add("x");

    assertEquals(Optional.of(1), plan.instanceOf("x"));
    assertEquals(set(1), delta.changed());
    assertEquals(set(), delta.created());
    assertEquals(1, plan.instance(1).reload());
    assertEquals(0, plan.instance(0).reload());
  }

  @Test
  void equallyLoadedInstancesAreFilledLowestIdFirst() {
    TypePlan plan = new TypePlan(10);
    plan.createInstances(3, 10);

    plan.add("a");
    plan.add("b");
    plan.add("c");
    plan.add("d");

    assertEquals(Optional.of(0), plan.instanceOf("a"));
    assertEquals(Optional.of(1), plan.instanceOf("b"));
    assertEquals(Optional.of(2), plan.instanceOf("c"));
    assertEquals(Optional.of(0), plan.instanceOf("d"));
  }

  @Test
  void fullInstancesAreSkippedEvenWhenLessLoaded() {
    TypePlan plan = new TypePlan(3);
    plan.restoreInstance(0, 1, 0);
    plan.restoreInstance(1, 3, 0);
    plan.restorePlacement("a", 0);
    plan.restorePlacement("b", 1);
    plan.restorePlacement("c", 1);

    plan.add("x");

    assertEquals(Optional.of(1), plan.instanceOf("x"));
  }

  @Test
  void whenAllAreFullANewInstanceWithTheLowestFreeIdAndPlanCapacityIsCreated() {
    TypePlan plan = Plans.restored(4, 1, Map.of(0, List.of("a"), 2, List.of("b")));

    Delta delta = plan.add("x");

    assertEquals(Optional.of(1), plan.instanceOf("x"));
    assertEquals(set(1), delta.created());
    assertEquals(set(1), delta.changed());
    assertEquals(4, plan.instance(1).count());
    assertEquals(1, plan.instance(1).used());
    assertEquals(1, plan.instance(1).reload());
  }

  @Test
  void firstResourceOfAnEmptyPlanCreatesInstanceZero() {
    TypePlan plan = new TypePlan(2);
    Delta delta = plan.add("a");
    assertEquals(set(0), delta.created());
    assertEquals(Optional.of(0), plan.instanceOf("a"));
    assertEquals(2, plan.instance(0).count());
  }

  @Test
  void reAddingAPlacedResourceChangesNothing() {
    TypePlan plan = Plans.restored(5, 5, Map.of(0, List.of("a"), 1, List.of()));
    var before = Plans.snapshot(plan);

    assertTrue(plan.add("a").isEmpty());
    assertEquals(before, Plans.snapshot(plan));
  }

  @Test
  void removedResourceFreesItsSlotAndNothingElseMoves() {
    TypePlan plan = Plans.restored(2, 2, Map.of(0, List.of("a", "b"), 1, List.of("c", "d")));

    Delta delta = plan.remove("a");

    assertEquals(set(0), delta.changed());
    assertEquals(Optional.empty(), plan.instanceOf("a"));
    assertEquals(List.of("b"), List.copyOf(plan.instance(0).resources()));
    assertEquals(List.of("c", "d"), List.copyOf(plan.instance(1).resources()));
    assertEquals(1, plan.instance(0).reload());
    assertEquals(0, plan.instance(1).reload());

    plan.add("x");
    assertEquals(Optional.of(0), plan.instanceOf("x"));
  }

  @Test
  void anInstanceThatBecomesEmptyIsNotDeleted() {
    TypePlan plan = Plans.restored(2, 2, Map.of(0, List.of("a"), 1, List.of("b")));
    Delta delta = plan.remove("b");
    assertEquals(set(), delta.deleted());
    assertEquals(0, plan.instance(1).used());
    assertEquals(set(0, 1), new TreeSet<>(plan.instances().keySet()));
  }

  @Test
  void removingAnUnplacedResourceChangesNothing() {
    TypePlan plan = Plans.restored(2, 2, Map.of(0, List.of("a")));
    var before = Plans.snapshot(plan);
    assertTrue(plan.remove("zzz").isEmpty());
    assertEquals(before, Plans.snapshot(plan));
  }

  @Test
  void updateOfAPlacedResourceBumpsItsInstanceOnly() {
    TypePlan plan = Plans.restored(2, 2, Map.of(0, List.of("a"), 1, List.of("b")));

    Delta delta = plan.update("b");

    assertEquals(set(1), delta.changed());
    assertEquals(1, plan.instance(1).reload());
    assertEquals(0, plan.instance(0).reload());
    assertEquals(List.of("b"), List.copyOf(plan.instance(1).resources()));
  }

  @Test
  void updateOfAnUnplacedResourceChangesNothing() {
    TypePlan plan = Plans.restored(2, 2, Map.of(0, List.of("a")));
    var before = Plans.snapshot(plan);
    assertTrue(plan.update("nope").isEmpty());
    assertEquals(before, Plans.snapshot(plan));
  }

  @Test
  void reloadAllBumpsEveryInstanceOnce() {
    TypePlan plan = Plans.restored(2, 2, Map.of(0, List.of("a"), 1, List.of(), 4, List.of("b")));

    Delta delta = plan.reloadAll();

    assertEquals(set(0, 1, 4), delta.changed());
    for (InstanceView v : plan.instances().values()) {
      assertEquals(1, v.reload());
    }
  }

  @Test
  void reloadAllOfAnEmptyPlanChangesNothing() {
    assertTrue(new TypePlan(3).reloadAll().isEmpty());
  }

  @Test
  void everyChangeOfAnInstancesResourcesBumpsItsReloadOnce() {
    TypePlan plan = new TypePlan(10);
    plan.createInstances(1, 10);
    plan.add("a");
    plan.add("b");
    plan.remove("a");
    plan.update("b");
    assertEquals(4, plan.instance(0).reload());
  }

  @Test
  void restoreDoesNotBumpAndKeepsStoredCounters() {
    TypePlan plan = new TypePlan(3);
    plan.restoreInstance(2, 3, 41);
    plan.restorePlacement("a", 2);

    assertEquals(41, plan.instance(2).reload());
    assertEquals(1, plan.instance(2).used());
    assertEquals(1, plan.resourceCount());
  }

  @Test
  void restoredIdsShowInOrderInAViewTakenBeforeThem() {
    TypePlan plan = new TypePlan(5);
    plan.restoreInstance(0, 5, 0);
    InstanceView view = plan.instance(0);
    plan.restorePlacement("c", 0);
    plan.restorePlacement("a", 0);
    assertEquals(List.of("a", "c"), List.copyOf(view.resources()));
    plan.restorePlacement("b", 0);
    plan.remove("c");

    assertEquals(List.of("a", "b"), List.copyOf(view.resources()));
    assertEquals("b", view.resources().last());
    assertEquals(2, view.used());
  }

  @Test
  void restoringAPlacementOnAnUnknownInstanceFails() {
    TypePlan plan = new TypePlan(3);
    assertThrows(IllegalStateException.class, () -> plan.restorePlacement("a", 0));
  }

  @Test
  void restoringAPlacementTwiceKeepsTheResourceOnOneInstance() {
    TypePlan plan = Plans.restored(3, 3, Map.of(0, List.of("a"), 1, List.of()));
    plan.restorePlacement("a", 1);
    assertEquals(0, plan.instance(0).used());
    assertEquals(Optional.of(1), plan.instanceOf("a"));
    assertEquals(1, plan.resourceCount());
  }

  @Test
  void restoredCapacityChangeIsHonouredByLaterAdds() {
    TypePlan plan = Plans.restored(3, 1, Map.of(0, List.of("a")));
    plan.restoreInstance(0, 2, 0);
    plan.add("b");
    assertEquals(Optional.of(0), plan.instanceOf("b"));
  }

  @Test
  void viewsAreReadOnly() {
    TypePlan plan = Plans.restored(3, 3, Map.of(0, List.of("a")));
    assertThrows(UnsupportedOperationException.class, () -> plan.instances().clear());
    assertThrows(UnsupportedOperationException.class, () -> plan.instance(0).resources().add("b"));
    Delta delta = plan.add("b");
    assertThrows(UnsupportedOperationException.class, () -> delta.changed().add(9));
  }

  @Test
  void absentInstanceIsNull() {
    assertNull(new TypePlan(1).instance(0));
  }

  @Test
  void capacityMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new TypePlan(0));
    assertThrows(IllegalArgumentException.class, () -> new TypePlan(1).capacity(-1));
  }

  @Test
  void newInstancesUseTheCurrentCapacity() {
    TypePlan plan = Plans.restored(1, 1, Map.of(0, List.of("a")));
    plan.capacity(9);
    plan.add("b");
    assertEquals(9, plan.instance(1).count());
  }

  @Test
  void bulkAddPlacesLikeSingleAddsButReloadsEachInstanceOnce() {
    TypePlan bulk = new TypePlan(2);
    bulk.createInstances(2, 2);
    TypePlan single = new TypePlan(2);
    single.createInstances(2, 2);
    List<String> ids = List.of("a", "b", "c", "d", "e");
    Delta delta = bulk.addAll(ids);
    ids.forEach(single::add);
    for (String id : ids) {
      assertEquals(single.instanceOf(id), bulk.instanceOf(id), id);
    }
    assertEquals(set(0, 1, 2), delta.changed());
    assertEquals(set(2), delta.created());
    assertEquals(1, bulk.instance(0).reload());
    assertEquals(1, bulk.instance(2).reload());
    assertEquals(2, single.instance(0).reload());
  }

  @Test
  void bulkRemoveAndUpdateReloadEachTouchedInstanceOnce() {
    TypePlan plan = new TypePlan(5);
    plan.createInstances(2, 5);
    plan.addAll(List.of("a", "b", "c", "d"));
    long before0 = plan.instance(0).reload();
    long before1 = plan.instance(1).reload();
    Delta removed = plan.removeAll(List.of("a", "c", "missing"));
    assertEquals(set(0), removed.changed());
    assertEquals(before0 + 1, plan.instance(0).reload());
    assertEquals(before1, plan.instance(1).reload());
    assertEquals(Optional.empty(), plan.instanceOf("a"));
    Delta updated = plan.updateAll(List.of("b", "d", "a"));
    assertEquals(set(1), updated.changed());
    assertEquals(before1 + 1, plan.instance(1).reload());
    assertTrue(plan.addAll(List.of("b", "d")).isEmpty(), "re-adding placed resources changes nothing");
  }
}
