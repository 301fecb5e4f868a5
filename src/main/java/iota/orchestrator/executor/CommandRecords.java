package iota.orchestrator.executor;

import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Ids;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.KubernetesNames;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.model.StoreKey;
import iota.orchestrator.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Reading and validating the executor's input records. Keys and values come from a topic, so every
 * field that becomes a znode path, a pod name, a label or a file path is checked here first; a
 * failure is an {@link InvalidRecordException} whose message is the dead-letter reason.
 */
final class CommandRecords {
  private CommandRecords() {}

  /** The two parts of a key {@code <Resource>/<instanceId>}. */
  record InstanceKey(String resource, String instanceId) {
    @Override
    public String toString() {
      return Assignment.key(resource, instanceId);
    }
  }

  static InstanceKey key(byte[] raw) {
    if (raw == null || raw.length == 0) {
      throw new InvalidRecordException("key is missing");
    }
    StoreKey key = StoreKey.parse(new String(raw, StandardCharsets.UTF_8));
    String resource = Ids.require("key resource", key.type());
    String instanceId = key.id();
    if (!InstanceIds.isValid(instanceId)) {
      throw new InvalidRecordException("key instanceId is not an instance id");
    }
    return new InstanceKey(resource, instanceId);
  }

  /** The assignment of a record, or null for a tombstone (the instance was removed). */
  static Assignment assignment(InstanceKey key, byte[] value) {
    if (value == null) {
      return null;
    }
    Assignment a = read(value, Assignment.class, "assignment");
    if (!key.resource().equals(a.resource()) || !key.instanceId().equals(a.instanceId())) {
      throw new InvalidRecordException("resource/instanceId do not match the key " + key);
    }
    if (a.seq() < 0) {
      throw new InvalidRecordException("seq must not be negative");
    }
    if (a.data() == null || a.resources() == null || a.reload() == null) {
      throw new InvalidRecordException("data, resources and _reload are required");
    }
    for (String id : a.resources().ids()) {
      Ids.require("resources.ids[]", id);
    }
    requireInstanceKeys(a.after());
    return a;
  }

  /**
   * The sequence of a tombstone, from its {@value Topics#ASSIGNMENT_SEQ_HEADER} header. A tombstone
   * without one is refused: a removal that cannot be fenced could delete a live instance.
   */
  static long tombstoneSeq(Headers headers) {
    Header header = headers.lastHeader(Topics.ASSIGNMENT_SEQ_HEADER);
    if (header == null || header.value() == null) {
      throw new InvalidRecordException("a tombstone needs its sequence in header " + Topics.ASSIGNMENT_SEQ_HEADER);
    }
    long seq;
    try {
      seq = Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      seq = -1;
    }
    if (seq < 0) {
      throw new InvalidRecordException("header " + Topics.ASSIGNMENT_SEQ_HEADER + " is not a sequence number");
    }
    return seq;
  }

  static PodCommand podCommand(InstanceKey key, byte[] value) {
    if (value == null) {
      throw new InvalidRecordException("a pod command has no tombstones");
    }
    PodCommand c = read(value, PodCommand.class, "pod command");
    if (!key.resource().equals(c.resource()) || !key.instanceId().equals(c.instanceId())) {
      throw new InvalidRecordException("resource/instanceId do not match the key " + key);
    }
    if (c.commandId() == null || c.commandId().isBlank()) {
      throw new InvalidRecordException("commandId is missing");
    }
    if (c.action() == null) {
      throw new InvalidRecordException("action must be one of create, delete, recreate");
    }
    if (!KubernetesNames.isInstanceName(c.instanceName())) {
      throw new InvalidRecordException("instanceName is not a DNS label prefix");
    }
    if (!KubernetesNames.isLabelValue(c.resource())) {
      throw new InvalidRecordException("resource is not usable as a Kubernetes label value");
    }
    requireInstanceKeys(c.after());
    return c;
  }

  /** A precondition's key becomes a znode path when it is checked, so it is held to the record key's rules. */
  private static void requireInstanceKeys(List<Precondition> after) {
    for (Precondition p : after) {
      try {
        key(p.key().getBytes(StandardCharsets.UTF_8));
      } catch (InvalidRecordException e) {
        throw new InvalidRecordException("after[].key: " + e.getMessage());
      }
    }
  }

  private static <T> T read(byte[] value, Class<T> type, String what) {
    T parsed;
    try {
      parsed = Json.MAPPER.readValue(value, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidRecordException("not a " + what + ": " + e.getClass().getSimpleName());
    }
    if (parsed == null) {
      throw new InvalidRecordException("empty value");
    }
    return parsed;
  }
}
