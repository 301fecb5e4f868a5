package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadEstimatorTest {

  @Test
  void usageAboveTheIdleBaseIsSplitEquallyAtFirst() {
    LoadEstimator e = new LoadEstimator(50, 30_000);
    e.observe(1000, 90, List.of("a", "b", "c", "d"));
    assertEquals(10, e.loads().get("a"), 1e-9);
    assertEquals(10, e.loads().get("d"), 1e-9);
  }

  @Test
  void laterSamplesFollowWithTheHalfLifeOfSampleTime() {
    LoadEstimator e = new LoadEstimator(0, 30_000);
    e.observe(0, 10, List.of("a"));
    e.observe(30_000, 30, List.of("a"));
    assertEquals(20, e.loads().get("a"), 1e-9, "one half-life: half-way");
    e.observe(30_000, 1000, List.of("a"));
    assertEquals(20, e.loads().get("a"), 1e-9, "a sample no newer than the estimate changes nothing");
  }

  @Test
  void theSplitFollowsTheEstimatesSoAMovedHotResourceKeepsItsShare() {
    LoadEstimator e = new LoadEstimator(0, 0);
    e.observe(0, 10, List.of("hot"));
    e.observe(0, 2, List.of("cold1", "cold2"));
    e.observe(1, 12, List.of("hot", "cold1", "cold2"));
    assertEquals(10, e.loads().get("hot"), 1e-9);
    assertEquals(1, e.loads().get("cold1"), 1e-9);
  }

  @Test
  void usageBelowTheIdleBaseIsNoLoad() {
    LoadEstimator e = new LoadEstimator(50, 0);
    e.observe(0, 20, List.of("a"));
    assertEquals(0, e.loads().get("a"));
    assertThrows(IllegalArgumentException.class, () -> e.observe(1, -1, List.of("a")));
  }
}
