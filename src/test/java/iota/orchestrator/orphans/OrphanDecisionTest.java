package iota.orchestrator.orphans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.orphans.Observed.Kind;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrphanDecisionTest {
  private static final long GRACE = 600_000;
  private final OrphanDecision decision = new OrphanDecision(Map.of("Thing", "iota-dac", "Rule", "iota-rules-engine"), Duration.ofMillis(GRACE));
  private final Set<String> plan = Set.of("Thing/0", "Thing/1", "Rule/0");

  private static Observed pod(String name, String resource, String id, String uid) {
    return new Observed(Kind.pod, name, resource, id, uid);
  }

  private static Observed znode(String path, String resource, String id, String czxid) {
    return new Observed(Kind.znode, path, resource, id, czxid);
  }

  private static List<String> names(List<Orphan> orphans) {
    return orphans.stream().map(o -> o.observed().name()).toList();
  }

  @Test
  void podsAndZnodesOfPlannedInstancesAreNotOrphans() {
    var result = decision.decide(plan, List.of(
        pod("iota-dac-0", "Thing", "0", "u0"),
        pod("iota-rules-engine-0", "Rule", "0", "r0"),
        znode("/r/Thing/1", "Thing", "1", "10"),
        znode("/r/.seq/Thing/1", "Thing", "1", "11")), Map.of(), 1_000);
    assertTrue(result.orphans().isEmpty(), result.toString());
  }

  @Test
  void anythingThatClaimsNoPlannedInstanceIsAnOrphan() {
    var result = decision.decide(plan, List.of(
        pod("iota-dac-7", "Thing", "7", "u7"),
        pod("iota-dac-x", "Thing", null, "ux"),
        pod("iota-dac-0-copy", "Thing", "0", "uc"),
        pod("iota-dac-1", "Rule", "1", "wrong-type"),
        znode("/r/Thing/7", "Thing", "7", "20"),
        znode("/r/Thing/junk", "Thing", "junk", "21"),
        znode("/r/.seq/Rule/3", "Rule", "3", "22")), Map.of(), 1_000);
    assertEquals(List.of("iota-dac-0-copy", "iota-dac-1", "iota-dac-7", "iota-dac-x", "/r/.seq/Rule/3", "/r/Thing/7", "/r/Thing/junk"),
        names(result.orphans()));
  }

  @Test
  void thingsOfUnconfiguredTypesAreForeignAndNeverOrphans() {
    var result = decision.decide(plan, List.of(
        pod("someone-else-0", "Sensor", "0", "s0"),
        pod("unlabelled", null, null, "s1"),
        znode("/r/Sensor", "Sensor", null, "30")), Map.of(), 1_000);
    assertTrue(result.orphans().isEmpty());
    assertEquals(3, result.foreign().size());
  }

  @Test
  void anOrphanIsDueOnlyOnceTheGraceHasPassedSinceItWasFirstSeen() {
    List<Observed> seen = List.of(pod("iota-dac-7", "Thing", "7", "u7"));
    var first = decision.decide(plan, seen, Map.of(), 1_000);
    Orphan o = first.orphans().get(0);
    assertEquals(1_000, o.firstSeen());
    assertEquals(1_000 + GRACE, o.dueAt());
    assertFalse(o.due());

    var before = decision.decide(plan, seen, first.firstSeen(), 1_000 + GRACE - 1);
    assertFalse(before.orphans().get(0).due());
    assertTrue(before.due().isEmpty());

    var after = decision.decide(plan, seen, before.firstSeen(), 1_000 + GRACE);
    assertTrue(after.orphans().get(0).due());
    assertEquals(1_000, after.orphans().get(0).firstSeen(), "the clock runs from the first sighting");
  }

  @Test
  void anObjectRecreatedUnderTheSameNameStartsItsGraceAgain() {
    var first = decision.decide(plan, List.of(pod("iota-dac-7", "Thing", "7", "old")), Map.of(), 1_000);
    var later = decision.decide(plan, List.of(pod("iota-dac-7", "Thing", "7", "new")), first.firstSeen(), 1_000 + GRACE);
    assertEquals(1_000 + GRACE, later.orphans().get(0).firstSeen());
    assertFalse(later.orphans().get(0).due());
  }

  @Test
  void anOrphanThatIsPlannedMeanwhileIsForgottenAndStartsAgainIfItIsOrphanedLater() {
    List<Observed> seen = List.of(znode("/r/Thing/7", "Thing", "7", "40"));
    var first = decision.decide(plan, seen, Map.of(), 1_000);
    Set<String> grown = new HashSet<>(plan);
    grown.add("Thing/7");
    var planned = decision.decide(grown, seen, first.firstSeen(), 2_000);
    assertTrue(planned.orphans().isEmpty());
    assertTrue(planned.firstSeen().isEmpty());
    var again = decision.decide(plan, seen, planned.firstSeen(), 1_000 + GRACE);
    assertFalse(again.orphans().get(0).due());
  }

  @Test
  void aTypeWithoutAnyPlannedInstanceIsHeldNothingOfItIsDue() {
    Set<String> onlyThings = Set.of("Thing/0");
    List<Observed> seen = List.of(pod("iota-rules-engine-0", "Rule", "0", "r0"), pod("iota-dac-5", "Thing", "5", "u5"));
    var first = decision.decide(onlyThings, seen, Map.of(), 0);
    var late = decision.decide(onlyThings, seen, first.firstSeen(), GRACE * 10);
    assertEquals(Set.of("Rule"), late.heldTypes());
    assertEquals(List.of("iota-dac-5"), names(late.due()));
  }

  @Test
  void theCheckBeforeRemovalUsesTheFreshPlan() {
    Observed o = znode("/r/Thing/7", "Thing", "7", "50");
    assertTrue(decision.stillRemovable(plan, o));
    assertFalse(decision.stillRemovable(Set.of("Thing/0", "Thing/7"), o), "planned since the sweep");
    assertFalse(decision.stillRemovable(Set.of("Rule/0"), o), "its type's plan is empty now");
    assertFalse(decision.stillRemovable(plan, znode("/r/Sensor", "Sensor", null, "1")), "foreign");
  }

  @Test
  void theSameInputsGiveTheSameAnswerWhateverTheirOrder() {
    List<Observed> seen = List.of(pod("iota-dac-9", "Thing", "9", "a"), znode("/r/Thing/8", "Thing", "8", "b"), pod("iota-dac-7", "Thing", "7", "c"));
    Map<String, Long> none = new HashMap<>();
    var a = decision.decide(plan, seen, none, 5);
    var b = decision.decide(plan, List.of(seen.get(2), seen.get(0), seen.get(1)), none, 5);
    assertEquals(a, b);
  }
}
