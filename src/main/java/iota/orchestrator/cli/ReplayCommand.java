package iota.orchestrator.cli;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.Json;
import iota.orchestrator.topology.Replay;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code replay}: rebuild the plan from the retained topics and compare it with the live plan. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild every resource type's plan from the retained topics (iota.cm-notify, "
          + "iota.orchestrator.requests, iota.orchestrator.pod-metrics) in a fresh application with its own id and state directory "
          + "(both removed afterwards), write it as JSON, and compare it with the live plan on "
          + "iota.orchestrator.assignments, and each type's scaling history with the live one's.",
      "Exit status: 0 when the plans are equal, 1 when they differ, 2 on error."
    })
public final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Option(names = "--output", description = "write the replayed plan as JSON to this file (- for stdout)")
  String output;

  @Option(names = "--timeout", defaultValue = "10m", description = "give up when the replay has not caught up by then (default ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() throws Exception {
    OrchestratorConfig config = OrchestratorConfig.load(cluster.flags().map());
    config.require(ConfigKeys.BOOTSTRAP_SERVERS);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Replay.Outcome outcome = new Replay(config, System.err).run(OrchestratorConfig.parseDuration("--timeout", timeout));
    if (output != null) {
      String json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(outcome.replayed().toJson());
      if (output.equals("-")) {
        out.println(json);
      } else {
        Files.writeString(Path.of(output), json + "\n");
      }
    }
    if (outcome.equal()) {
      err.printf("replayed plan and scaling histories equal the live ones (%d types, %,d resources)%n",
          outcome.replayed().types().size(), outcome.replayed().resourceCount());
      return 0;
    }
    err.printf("replay differs from the live application in %d places:%n", outcome.differences().size());
    outcome.differences().forEach(d -> err.println("  " + d));
    return 1;
  }
}
