package iota.orchestrator.e2e;

import iota.orchestrator.admin.TopicReader;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Reads the committed assignments topic the way the executor does, to see what it was told last. */
final class AssignmentsTopic {
  private AssignmentsTopic() {}

  /**
   * The newest sequence per {@code <Resource>/<id>}; for an instance whose last record is a
   * tombstone, the removal's sequence from its header (ZooKeeper keeps that one as well).
   */
  static Map<String, Long> lastSequences(String bootstrapServers) {
    Map<String, Long> out = new TreeMap<>();
    TopicReader.readCommitted(bootstrapServers, Topics.ASSIGNMENTS.name(), r -> {
      if (r.value() == null) {
        out.put(r.key(), Long.parseLong(new String(r.headers().lastHeader(Topics.ASSIGNMENT_SEQ_HEADER).value(), StandardCharsets.UTF_8)));
      } else {
        out.put(r.key(), Json.read(r.value(), Assignment.class).seq());
      }
    });
    return out;
  }
}
