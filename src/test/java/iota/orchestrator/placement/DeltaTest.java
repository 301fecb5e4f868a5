package iota.orchestrator.placement;

import static iota.orchestrator.placement.Plans.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
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
}
