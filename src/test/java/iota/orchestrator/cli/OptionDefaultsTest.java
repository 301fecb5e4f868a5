package iota.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import iota.orchestrator.config.ConfigKeys;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Options show and use the defaults declared in {@link ConfigKeys} rather than a copy of them. */
class OptionDefaultsTest {
  private static CommandLine command(String name) {
    return new CommandLine(new Main()).getSubcommands().get(name);
  }

  @Test
  void helpTextsShowTheDeclaredDefaults() {
    String stream = command("stream").getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
    assertTrue(stream.contains("default " + ConfigKeys.STATE_DIR.defaultText() + ")"), stream);
    assertTrue(stream.contains("iota.heartbeat.timeout, default " + ConfigKeys.HEARTBEAT_TIMEOUT.defaultText() + ")"), stream);
    String executor = command("executor").getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
    assertTrue(executor.contains("default " + ConfigKeys.TEMPLATES_DIR.defaultText() + ")"), executor);
  }

  @Test
  void embeddedFallsBackToTheDeclaredDefaultsWithoutItsVariables() {
    assumeTrue(System.getenv("IOTA_HEARTBEAT_TIMEOUT") == null && System.getenv("IOTA_HTTP_PORT") == null, "the variables win");
    CommandLine.Model.CommandSpec spec = command("embedded").getCommandSpec();
    assertEquals(ConfigKeys.HEARTBEAT_TIMEOUT.defaultText(), spec.findOption("--heartbeat-timeout").defaultValue());
    assertEquals(ConfigKeys.HTTP_PORT.defaultText(), spec.findOption("--http-port").defaultValue());
  }
}
