package iota.orchestrator.cli;

import iota.orchestrator.bench.ApiLoadBenchmark;
import iota.orchestrator.bench.BridgeBenchmark;
import iota.orchestrator.bench.ElasticBenchmark;
import iota.orchestrator.bench.EndToEndBenchmark;
import iota.orchestrator.bench.PeersBenchmark;
import iota.orchestrator.bench.PlannerBenchmark;
import iota.orchestrator.bench.ScaleBenchmark;
import iota.orchestrator.bench.TopologyBenchmark;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench}: measures and prints the figures the targets are stated in. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure and print: the planner (re-orchestrating 500,000 resources over 100 instances; "
          + "incremental add/remove at that size), the topology in TopologyTestDriver with RocksDB "
          + "stores (create events/s), and end to end on the embedded platform (MQTT publish -> znode "
          + "latency at 1,000 events/s, highest sustained create rate), and the REST placement lookup "
          + "under load, local and forwarded, while 1,000 change events/s are ingested; "
          + "at the scale of a fleet (scale): ingesting 500,000 Things, memory, REST reads at that size, "
          + "kill -9 and restart of embedded in a child JVM, and the topology's own rate on a real broker; "
          + "and the MQTT bridge alone (bridge), single messages, against the embedded Moquette and "
          + "(where installed) mosquitto 2; the elastic decision core (elastic): autoscaler, load "
          + "estimator and load-aware rebalancer in a pure simulated loop; the planner beside Kafka's "
          + "Sticky, CooperativeSticky and KIP-848 Uniform assignors on the same 500,000 keys (peers).",
      "Run it on an otherwise idle machine: the figures are wall-clock."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Which benchmarks to run. */
  enum Suite {
    planner,
    /** The planner beside Kafka's Sticky, CooperativeSticky and KIP-848 Uniform assignors. */
    peers,
    topology,
    e2e,
    api,
    scale,
    bridge,
    elastic,
    /** The scale suite's topology-on-a-real-broker part alone (a few minutes instead of many). */
    throughput,
    all
  }

  @Option(names = "--only", defaultValue = "all", description = "planner, peers, topology, e2e, api, scale, bridge, elastic, throughput (the topology part of scale alone) or all (default ${DEFAULT-VALUE})")
  Suite only;

  @Option(names = "--bridge-messages", defaultValue = "20000", description = "single messages per broker for the bridge benchmark (default ${DEFAULT-VALUE})")
  int bridgeMessages;

  @Option(names = "--topology-events", defaultValue = "200000", description = "create events for the topology benchmark (default ${DEFAULT-VALUE})")
  int topologyEvents;

  @Option(names = "--scale-resources", defaultValue = "500000", description = "Things the scale benchmark ingests before the kill (default ${DEFAULT-VALUE})")
  int scaleResources;

  @Option(names = "--scale-events", defaultValue = "1000000", description = "resources of each of the scale benchmark's topology runs, single and bulk (default ${DEFAULT-VALUE})")
  int scaleEvents;

  @Option(names = "--set", description = "key=value on top of the stream app's configuration in --only throughput "
      + "(iota.* keys or kafka.* overrides), to weigh what one setting costs")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (!settings.isEmpty() && only != Suite.throughput) {
      throw new ParameterException(spec.commandLine(), "--set applies to --only throughput");
    }
    if (only == Suite.planner || only == Suite.all) {
      PlannerBenchmark.run(out);
    }
    if (only == Suite.peers || only == Suite.all) {
      PeersBenchmark.run(out);
    }
    if (only == Suite.topology || only == Suite.all) {
      TopologyBenchmark.run(out, topologyEvents);
    }
    if (only == Suite.e2e || only == Suite.all) {
      EndToEndBenchmark.run(out, EndToEndBenchmark.Settings.defaults());
    }
    if (only == Suite.api || only == Suite.all) {
      ApiLoadBenchmark.run(out);
    }
    if (only == Suite.scale || only == Suite.all) {
      if (scaleResources < 1 || scaleEvents < 1) {
        throw new ParameterException(spec.commandLine(), "--scale-resources and --scale-events must be at least 1");
      }
      ScaleBenchmark.run(out, new ScaleBenchmark.Settings(scaleResources, scaleEvents, ScaleBenchmark.Settings.defaults().timeout()));
    }
    if (only == Suite.bridge || only == Suite.all) {
      BridgeBenchmark.run(out, bridgeMessages, List.of(10, 100, 1000));
    }
    if (only == Suite.elastic || only == Suite.all) {
      ElasticBenchmark.run(out, 100_000);
    }
    if (only == Suite.throughput) {
      if (scaleEvents < 1) {
        throw new ParameterException(spec.commandLine(), "--scale-events must be at least 1");
      }
      ScaleBenchmark.runTopology(out, scaleEvents, settings);
    }
    return 0;
  }
}
