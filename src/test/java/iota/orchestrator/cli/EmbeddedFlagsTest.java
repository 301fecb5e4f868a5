package iota.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import iota.orchestrator.config.ConfigException;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The embedded command's metrics flags and the configuration keys they become. */
class EmbeddedFlagsTest {

  @Test
  void embeddedSamplesEveryFiveSecondsAndStabilizesFiveMinutesByDefault() {
    EmbeddedCommand command = new EmbeddedCommand();
    new CommandLine(command).parseArgs();
    assertEquals("5s", command.metricsInterval);
    assertEquals("300s", command.scaleDownStabilization);
  }

  @Test
  void flagsAreParsed() {
    EmbeddedCommand command = new EmbeddedCommand();
    new CommandLine(command).parseArgs("--metrics-interval", "2s", "--scale-down-stabilization", "1m");
    assertEquals("2s", command.metricsInterval);
    assertEquals("1m", command.scaleDownStabilization);
  }

  @Test
  void stabilizationIsCarriedIntoEveryTypesKey() {
    OrchestratorConfig base = OrchestratorConfig.of(Map.of());
    OrchestratorConfig config = base.with(EmbeddedCommand.stabilization(base, Duration.ofSeconds(120)));
    assertEquals(Duration.ofSeconds(120), config.get(ConfigKeys.SCALE_DOWN_STABILIZATION.of("Thing")));
    assertEquals(Duration.ofSeconds(120), config.get(ConfigKeys.SCALE_DOWN_STABILIZATION.of("Rule")));
  }

  @Test
  void metricsKeysAreCheckedAtStart() {
    assertEquals(Duration.ofSeconds(15), OrchestratorConfig.of(Map.of()).get(ConfigKeys.METRICS_INTERVAL));
    assertThrows(ConfigException.class, () -> OrchestratorConfig.of(Map.of("iota.metrics.interval", "often")));
    ConfigException e = assertThrows(ConfigException.class,
        () -> OrchestratorConfig.of(Map.of("iota.resource.thing.scale.down.stabilization", "soon")));
    assertEquals(true, e.getMessage().startsWith("iota.resource.thing.scale.down.stabilization"), e.getMessage());
  }
}
