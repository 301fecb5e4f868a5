package iota.orchestrator.model;

import iota.orchestrator.health.PodPhases;
import java.util.List;

/**
 * The observed state of one planned pod on {@code iota.orchestrator.pod-status}, keyed {@code
 * <Resource>/<instanceId>}, published by the executor's pod watcher.
 *
 * @param phase Kubernetes pod phase (Pending, Running, Succeeded, Failed, Unknown); null when gone
 * @param uid the pod's UID; null when gone
 * @param gone true when the pod no longer exists
 * @param observedAt wall-clock milliseconds of the observation
 */
public record PodStatus(
    String resource, String instanceId, String podName, String phase, String uid, boolean gone, long observedAt) {

  public static PodStatus parse(byte[] payload) {
    PodStatus s;
    try {
      s = Json.MAPPER.readValue(payload, PodStatus.class);
    } catch (Exception e) {
      throw new InvalidRecordException("not a pod status: " + e.getClass().getSimpleName());
    }
    if (s == null) {
      throw new InvalidRecordException("empty value");
    }
    Ids.require("resource", s.resource());
    if (!InstanceIds.isValid(s.instanceId())) {
      throw new InvalidRecordException("instanceId is not an instance id");
    }
    if (!s.gone() && (s.phase() == null || s.phase().isEmpty())) {
      throw new InvalidRecordException("phase is missing");
    }
    // Every field is kept in the instance's state and shown on the dashboard: bound them all.
    if (s.phase() != null && !PHASES.contains(s.phase())) {
      throw new InvalidRecordException("phase must be one of " + String.join(", ", PHASES));
    }
    if (s.podName() != null) {
      Ids.require("podName", s.podName());
    }
    if (s.uid() != null) {
      Ids.require("uid", s.uid());
    }
    return s;
  }

  /** The phases of a Kubernetes pod. */
  public static final List<String> PHASES = PodPhases.ALL;

  /** The pod is gone or in a phase from which it will not come back by itself ({@link PodPhases#isTerminal}). */
  public boolean needsRecreate() {
    return PodPhases.isTerminal(phase, gone);
  }
}
