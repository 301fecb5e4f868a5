package iota.orchestrator.e2e;

import iota.orchestrator.admin.TopicReader;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import iota.orchestrator.topology.Topics;
import java.util.Map;
import java.util.TreeMap;

/** Reads the committed assignments topic the way the executor does, to see what it was told last. */
final class AssignmentsTopic {
  private AssignmentsTopic() {}

  /** The newest sequence per {@code <Resource>/<id>}; instances whose last record is a tombstone are left out. */
  static Map<String, Long> lastSequences(String bootstrapServers) {
    Map<String, Long> out = new TreeMap<>();
    TopicReader.readCommitted(bootstrapServers, Topics.ASSIGNMENTS, r -> {
      if (r.value() == null) {
        out.remove(r.key());
      } else {
        out.put(r.key(), Json.read(r.value(), Assignment.class).seq());
      }
    });
    return out;
  }
}
