package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.topics.Topic;
import iota.orchestrator.topics.Topics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** {@code Topology.describe()} is the map of where records go: every output has its own named sink. */
class TopologySinksTest {
  private static final OrchestratorConfig CONFIG = OrchestratorConfig.of(Map.of("iota.bootstrap.servers", "unused:9092", "iota.state.dir", "target/unused"));

  /** Sink name -> the topic it writes (null for a sink that picks its topic per record). */
  private static Map<String, String> sinks(OrchestratorTopology.Mode mode) {
    Map<String, String> sinks = new TreeMap<>();
    for (TopologyDescription.Subtopology sub : OrchestratorTopology.build(CONFIG, mode).describe().subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Sink sink) {
          sinks.put(sink.name(), sink.topic());
        }
      }
    }
    return sinks;
  }

  @Test
  void eachOutputTopicHasOneNamedSinkThatNamesIt() {
    Map<String, String> sinks = sinks(OrchestratorTopology.Mode.LIVE);

    sinks.remove("by-type-repartition-sink");
    assertEquals(Map.of(
            "assignments-sink", Topics.ASSIGNMENTS.name(),
            "pod-commands-sink", Topics.POD_COMMANDS.name(),
            "results-sink", Topics.RESULTS.name(),
            "dlq-sink", Topics.DLQ.name()),
        sinks);
    assertEquals(List.of(Topics.ASSIGNMENTS, Topics.POD_COMMANDS, Topics.RESULTS, Topics.DLQ), OrchestratorTopology.OUTPUTS);
  }

  @Test
  void aReplayWritesNoOutputTopic() {
    Map<String, String> sinks = sinks(OrchestratorTopology.Mode.REPLAY);

    for (Topic<?, ?> output : OrchestratorTopology.OUTPUTS) {
      assertEquals(false, sinks.containsValue(output.name()), output.name());
    }
  }
}
