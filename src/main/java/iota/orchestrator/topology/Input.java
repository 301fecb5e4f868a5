package iota.orchestrator.topology;

import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.PodStatus;

/**
 * What flows through the by-type repartition: one parsed, validated input for one resource type.
 * Exactly one of the payload fields is set, matching {@code kind}.
 *
 * @param kind which input this is
 * @param change for {@link Kind#CHANGE}: the change event
 * @param dependent for {@link Kind#CHANGE}: true when the table is one the type depends on
 * @param instanceId for {@link Kind#HEARTBEAT}: the instance that sent it
 * @param request for {@link Kind#REQUEST}
 * @param pod for {@link Kind#POD_STATUS}
 */
public record Input(
    Kind kind, ChangeEvent change, boolean dependent, String instanceId, OrchestrateRequest request, PodStatus pod) {

  /** Input kinds. */
  public enum Kind {
    CHANGE,
    HEARTBEAT,
    REQUEST,
    POD_STATUS
  }

  public static Input change(ChangeEvent change, boolean dependent) {
    return new Input(Kind.CHANGE, change, dependent, null, null, null);
  }

  public static Input heartbeat(String instanceId) {
    return new Input(Kind.HEARTBEAT, null, false, instanceId, null, null);
  }

  public static Input request(OrchestrateRequest request) {
    return new Input(Kind.REQUEST, null, false, null, request, null);
  }

  public static Input pod(PodStatus pod) {
    return new Input(Kind.POD_STATUS, null, false, null, null, pod);
  }
}
