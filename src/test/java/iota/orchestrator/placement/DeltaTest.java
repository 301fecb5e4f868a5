package iota.orchestrator.placement;

import static iota.orchestrator.placement.Plans.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DeltaTest {

  @Test
  void emptyIsEmpty() {
    assertTrue(Delta.empty().isEmpty());
    assertTrue(Delta.empty().changed().isEmpty());
  }

  @Test
  void oneInstanceDeltasAreEqualWhetherSharedOrNot() {
    assertEquals(new Delta(set(3), set(), set()), Delta.changed(3));
    assertEquals(new Delta(set(500), set(500), set()), Delta.created(500));
    assertFalse(Delta.changed(3).isEmpty());
  }

  @Test
  void setsAreCopiedIntoAscendingOrderAndFrozen() {
    TreeSet<Integer> reversed = new TreeSet<>(Comparator.reverseOrder());
    reversed.addAll(List.of(1, 5, 3));

    Delta delta = new Delta(reversed, set(), set());
    reversed.add(9);

    assertEquals(List.of(1, 3, 5), List.copyOf(delta.changed()));
    assertThrows(UnsupportedOperationException.class, () -> delta.changed().add(2));
  }

  @Test
  void nullSetsAreRejected() {
    assertThrows(NullPointerException.class, () -> new Delta(null, set(), set()));
  }

  @Test
  void oneResourceDeltasNameTheResourceAndItsInstance() {
    assertEquals(Map.of(3, List.of("a")), Delta.gained(3, "a").gained());
    assertEquals(set(3), Delta.gained(3, "a").changed());
    assertEquals(set(500), Delta.createdFor(500, "a").created());
    assertEquals(Map.of(4, List.of("b")), Delta.lost(4, "b").lost());
    assertTrue(Delta.lost(4, "b").gained().isEmpty());
    assertTrue(Delta.changed(3).gained().isEmpty() && Delta.changed(3).lost().isEmpty());
  }

  @Test
  void gainedAndLostIdsAreCopiedFrozenAndEmptyListsDropped() {
    TreeMap<Integer, List<String>> gained = new TreeMap<>();
    List<String> ids = new ArrayList<>(List.of("x", "y"));
    gained.put(1, ids);
    gained.put(2, new ArrayList<>());
    Delta delta = new Delta(set(1, 2), set(), set(), List.of(), gained, new TreeMap<>());
    ids.add("z");
    gained.put(7, List.of("w"));

    assertEquals(Map.of(1, List.of("x", "y")), delta.gained());
    assertThrows(UnsupportedOperationException.class, () -> delta.gained().put(3, List.of()));
    assertThrows(UnsupportedOperationException.class, () -> delta.gained().get(1).add("q"));
    assertEquals(new Delta(set(1, 2), set(), set()), new Delta(set(1, 2), set(), set(), List.of(), new TreeMap<>(), new TreeMap<>()));
  }
}
