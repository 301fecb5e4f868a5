package iota.orchestrator.placement;

import static iota.orchestrator.placement.Plans.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A delta's gained and lost ids are exactly the placements its mutation changed: whoever mirrors
 * the plan (the topology's stores) can apply them instead of comparing the plan before and after.
 */
class TypePlanDeltaIdsTest {

  /** resource -> instance, as the plan has it now. */
  private static Map<String, Integer> placements(TypePlan plan) {
    Map<String, Integer> where = new HashMap<>();
    plan.instances().forEach((id, view) -> view.resources().forEach(r -> where.put(r, id)));
    return where;
  }

  /** The gained and lost ids that turn {@code before} into {@code after}, ascending within an instance. */
  private static List<TreeMap<Integer, List<String>>> diff(Map<String, Integer> before, Map<String, Integer> after) {
    TreeMap<Integer, TreeSet<String>> gained = new TreeMap<>();
    TreeMap<Integer, TreeSet<String>> lost = new TreeMap<>();
    for (var e : after.entrySet()) {
      Integer was = before.get(e.getKey());
      if (!e.getValue().equals(was)) {
        gained.computeIfAbsent(e.getValue(), k -> new TreeSet<>()).add(e.getKey());
      }
    }
    for (var e : before.entrySet()) {
      Integer now = after.get(e.getKey());
      if (!e.getValue().equals(now)) {
        lost.computeIfAbsent(e.getValue(), k -> new TreeSet<>()).add(e.getKey());
      }
    }
    return List.of(lists(gained), lists(lost));
  }

  private static TreeMap<Integer, List<String>> lists(TreeMap<Integer, TreeSet<String>> sets) {
    TreeMap<Integer, List<String>> lists = new TreeMap<>();
    sets.forEach((id, ids) -> lists.put(id, List.copyOf(ids)));
    return lists;
  }

  private static void assertIds(Map<String, Integer> before, TypePlan plan, Delta delta, String step) {
    List<TreeMap<Integer, List<String>>> expected = diff(before, placements(plan));
    assertEquals(expected.get(0), sorted(delta.gained()), step + ": gained");
    assertEquals(expected.get(1), sorted(delta.lost()), step + ": lost");
  }

  /** Incremental deltas keep the ids in the order given; the comparison is by content. */
  private static TreeMap<Integer, List<String>> sorted(Map<Integer, List<String>> ids) {
    TreeMap<Integer, List<String>> sorted = new TreeMap<>();
    ids.forEach((id, list) -> sorted.put(id, list.stream().sorted().toList()));
    return sorted;
  }

  @Test
  void everyMutationReportsExactlyThePlacementsItChanged() throws SizingException {
    for (int run = 0; run < 40; run++) {
      Random rnd = new Random(run);
      TypePlan plan = new TypePlan(1 + rnd.nextInt(6), 3 + rnd.nextInt(8), run % 3 == 0 ? 40 : Long.MAX_VALUE);
      List<String> universe = ids("r", 0, 60);
      Map<String, Integer> before = placements(plan);
      assertIds(before, plan, plan.createInstances(rnd.nextInt(4), 1 + rnd.nextInt(6)), "run " + run + " create");
      for (int step = 0; step < 60; step++) {
        before = placements(plan);
        String where = "run " + run + " step " + step;
        List<String> some = new ArrayList<>();
        for (int i = rnd.nextInt(6); i > 0; i--) {
          some.add(universe.get(rnd.nextInt(universe.size())));
        }
        String one = universe.get(rnd.nextInt(universe.size()));
        Delta delta;
        switch (rnd.nextInt(9)) {
          case 0 -> delta = plan.add(one);
          case 1, 2 -> delta = plan.addAll(some);
          case 3 -> delta = plan.remove(one);
          case 4 -> delta = plan.removeAll(some);
          case 5 -> delta = plan.updateAll(some);
          case 6 -> delta = plan.reloadAll();
          case 7 -> {
            try {
              delta = plan.orchestrate(1 + rnd.nextInt(4), 3 + rnd.nextInt(8), 1 + rnd.nextInt(8)).delta();
            } catch (SizingException e) {
              continue;
            }
          }
          default -> {
            List<String> live = new ArrayList<>(some);
            live.addAll(placements(plan).keySet().stream().sorted().filter(r -> rnd.nextInt(3) > 0).toList());
            try {
              delta = plan.orchestrate(live, 1 + rnd.nextInt(4), 3 + rnd.nextInt(8), 1 + rnd.nextInt(8)).delta();
            } catch (SizingException e) {
              continue;
            }
          }
        }
        assertIds(before, plan, delta, where);
      }
    }
  }

  @Test
  void movesAndAddsToAChosenInstanceReportTheirIds() {
    TypePlan plan = Plans.restored(5, 5, Map.of(0, List.of("a", "b"), 1, List.of("c"), 2, List.of()));
    Map<String, Integer> before = placements(plan);
    Delta moved = plan.applyMoves(List.of(new Move("a", 0, 2), new Move("c", 1, 0)));
    assertIds(before, plan, moved, "moves");
    assertEquals(Map.of(0, List.of("c"), 2, List.of("a")), moved.gained());
    assertEquals(Map.of(0, List.of("a"), 1, List.of("c")), moved.lost());

    before = placements(plan);
    assertIds(before, plan, plan.addTo("d", 2), "addTo");
  }

  @Test
  void aReOrchestrationThatDropsAnInstanceReportsWhereItsResourcesWent() throws SizingException {
    TypePlan plan = Plans.restored(5, 5, Map.of(0, List.of("a"), 1, List.of("b"), 2, List.of("c", "d")));
    Map<String, Integer> before = placements(plan);
    Orchestration o = plan.orchestrate(List.of("a", "b", "c", "e"), 1, 3, 5);
    assertIds(before, plan, o.delta(), "orchestrate");
    assertEquals(List.of("c", "d"), o.delta().lost().get(2), "instance 2 is deleted and loses everything");
  }
}
