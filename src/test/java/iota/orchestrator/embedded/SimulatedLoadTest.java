package iota.orchestrator.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.api.SimulationControl.Load;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SimulatedLoadTest {
  private static final double MIB = 1024 * 1024;
  private static final List<String> TEN = IntStream.range(0, 10).mapToObj(i -> "t" + i).toList();

  @Test
  void podUsesIdleBasePlusDefaultLoadPerResource() {
    SimulatedLoad load = new SimulatedLoad(1, 0);
    SimulatedLoad.Usage u = load.usage("Thing", TEN);
    assertEquals(50 + 10 * 0.2, u.cpuMillis(), 1e-9);
    assertEquals((96 + 10 * 0.05) * MIB, u.memoryBytes(), 1e-3);
    assertEquals(new SimulatedLoad.Usage(50, 96 * MIB), load.usage("Thing", List.of()));
  }

  @Test
  void typeDefaultAndOneResourceLoadAreSetApart() {
    SimulatedLoad load = new SimulatedLoad(1, 0);
    load.setDefault("Thing", new Load(1, 0.5));
    load.setResource("Thing", "t3", new Load(100, 10));
    SimulatedLoad.Usage u = load.usage("Thing", TEN);
    assertEquals(50 + 9 * 1 + 100, u.cpuMillis(), 1e-9);
    assertEquals((96 + 9 * 0.5 + 10) * MIB, u.memoryBytes(), 1e-3);
    assertEquals(new SimulatedLoad.Usage(50 + 10 * 0.2, (96 + 10 * 0.05) * MIB).cpuMillis(), load.usage("Rule", TEN).cpuMillis(), 1e-9);
    assertEquals(new Load(100, 10), load.settings("Thing").resources().get("t3"));
  }

  @Test
  void noiseIsSeededAndSmall() {
    SimulatedLoad a = new SimulatedLoad(7, 0.02);
    SimulatedLoad b = new SimulatedLoad(7, 0.02);
    List<Double> seen = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      double cpu = a.usage("Thing", TEN).cpuMillis();
      assertEquals(cpu, b.usage("Thing", TEN).cpuMillis());
      assertTrue(cpu >= 52 * 0.94 && cpu <= 52 * 1.06, "within three deviations: " + cpu);
      seen.add(cpu);
    }
    assertNotEquals(seen.get(0), seen.get(1));
    double mean = seen.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertEquals(52, mean, 52 * 0.005);
  }

  @Test
  void noiseOutsideItsRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SimulatedLoad(1, -0.1));
    assertThrows(IllegalArgumentException.class, () -> new SimulatedLoad(1, 0.5));
  }
}
