package iota.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keys of the pod start time limit and the orphan sweep. */
class OperationLimitsConfigTest {

  @Test
  void defaultsAreFiveMinutesToStartAndASweepEveryFiveMinutesWithTenMinutesOfGrace() {
    OrchestratorConfig c = OrchestratorConfig.of(Map.of());
    assertEquals(Duration.ofMinutes(5), c.get(ConfigKeys.POD_START_TIMEOUT));
    assertEquals(Duration.ofMinutes(5), c.get(ConfigKeys.ORPHANS_INTERVAL));
    assertEquals(Duration.ofMinutes(10), c.get(ConfigKeys.ORPHANS_GRACE));
    assertTrue(c.get(ConfigKeys.ORPHANS_PURGE));
  }

  @Test
  void environmentVariablesSetThem() {
    OrchestratorConfig c = OrchestratorConfig.from(Map.of("IOTA_ORPHANS_PURGE", "false", "IOTA_POD_START_TIMEOUT", "90s"), Map.of());
    assertFalse(c.get(ConfigKeys.ORPHANS_PURGE));
    assertEquals(Duration.ofSeconds(90), c.get(ConfigKeys.POD_START_TIMEOUT));
  }

  @Test
  void badValuesFailAtStartNamingTheKey() {
    assertTrue(assertThrows(ConfigException.class, () -> OrchestratorConfig.of(Map.of("iota.orphans.purge", "sometimes")))
        .getMessage().startsWith("iota.orphans.purge:"));
    assertTrue(assertThrows(ConfigException.class, () -> OrchestratorConfig.of(Map.of("iota.orphans.grace", "0s")))
        .getMessage().startsWith("iota.orphans.grace:"));
    assertTrue(assertThrows(ConfigException.class, () -> OrchestratorConfig.of(Map.of("iota.pod.start.timeout", "soon")))
        .getMessage().startsWith("iota.pod.start.timeout:"));
    assertTrue(assertThrows(ConfigException.class, () -> OrchestratorConfig.of(Map.of("iota.orphans.interval", "-1m")))
        .getMessage().startsWith("iota.orphans.interval:"));
  }
}
