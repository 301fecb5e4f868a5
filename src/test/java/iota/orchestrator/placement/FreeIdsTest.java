package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FreeIdsTest {

  /** The lowest id not in {@code used}: the obvious walk that FreeIds replaces. */
  private static int lowestNotIn(TreeSet<Integer> used) {
    int id = 0;
    while (used.contains(id)) {
      id++;
    }
    return id;
  }

  @Test
  void theLowestFreeIdMatchesAWalkOverRandomTakesAndReleases() {
    Random rnd = new Random(5);
    for (int run = 0; run < 200; run++) {
      FreeIds free = new FreeIds();
      TreeSet<Integer> used = new TreeSet<>();
      for (int step = 0; step < 300; step++) {
        int op = rnd.nextInt(10);
        if (op < 4) {
          int id = free.lowest();
          free.take(id);
          used.add(id);
        } else if (op < 6) {
          // Sparse ids, as a restore of stored instances gives them.
          int id = rnd.nextInt(rnd.nextBoolean() ? 20 : 1000);
          free.take(id);
          used.add(id);
        } else {
          Integer inUse = used.isEmpty() ? null : used.ceiling(rnd.nextInt(used.last() + 1));
          int id = inUse == null || rnd.nextInt(5) == 0 ? rnd.nextInt(30) : inUse;
          free.release(id);
          used.remove(id);
        }
        assertEquals(lowestNotIn(used), free.lowest(), "run " + run + " step " + step + " used " + used);
      }
    }
  }

  @Test
  void aFarIdLeavesTheGapBelowItFree() {
    FreeIds free = new FreeIds();
    free.take(0);
    free.take(1_000_000_000);
    assertEquals(1, free.lowest());
    free.take(1);
    assertEquals(2, free.lowest());
    free.release(1_000_000_000);
    free.release(0);
    assertEquals(0, free.lowest());
  }
}
