package iota.orchestrator.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iota.orchestrator.cli.ExecutorCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ExecutorCommandTest {
  @Test
  void optionsMapToConfigurationKeys() {
    ExecutorCommand command = new ExecutorCommand();
    new CommandLine(command)
        .parseArgs("--bootstrap-servers", "k:9092", "--zookeeper", "z:2181", "--namespace", "prod", "--templates-dir", "/etc/iota/templates", "--config", "/etc/iota/executor.properties");

    assertEquals(
        Map.of(
            "iota.bootstrap.servers", "k:9092",
            "iota.zookeeper.connect", "z:2181",
            "iota.kubernetes.namespace", "prod",
            "iota.templates.dir", "/etc/iota/templates",
            "iota.config.file", "/etc/iota/executor.properties"),
        command.flags());
  }

  @Test
  void optionsNotGivenLeaveTheOtherSourcesInCharge() {
    ExecutorCommand command = new ExecutorCommand();
    new CommandLine(command).parseArgs("--zookeeper", "z:2181");

    assertEquals(Map.of("iota.zookeeper.connect", "z:2181"), command.flags());
  }

  @Test
  void helpNamesTheCommand() {
    StringWriter out = new StringWriter();
    int code = new CommandLine(new ExecutorCommand()).setOut(new PrintWriter(out)).execute("--help");

    assertEquals(0, code);
    assertEquals(true, out.toString().contains("Usage: executor"), out.toString());
  }
}
