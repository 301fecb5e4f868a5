package iota.orchestrator.topology;

import iota.orchestrator.autoscale.PodMetrics;
import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.model.DrainRequest;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.PodInventory;
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
 * @param inventory for {@link Kind#POD_INVENTORY}
 * @param metrics for {@link Kind#POD_METRICS}: one metrics round of the type
 * @param drain for {@link Kind#DRAIN}: a drain or undrain request
 */
public record Input(
    Kind kind,
    ChangeEvent change,
    boolean dependent,
    String instanceId,
    OrchestrateRequest request,
    PodStatus pod,
    PodInventory inventory,
    PodMetrics metrics,
    DrainRequest drain) {

  /** Input kinds. */
  public enum Kind {
    CHANGE,
    HEARTBEAT,
    REQUEST,
    POD_STATUS,
    POD_INVENTORY,
    POD_METRICS,
    DRAIN
  }

  public static Input change(ChangeEvent change, boolean dependent) {
    return new Input(Kind.CHANGE, change, dependent, null, null, null, null, null, null);
  }

  public static Input heartbeat(String instanceId) {
    return new Input(Kind.HEARTBEAT, null, false, instanceId, null, null, null, null, null);
  }

  public static Input request(OrchestrateRequest request) {
    return new Input(Kind.REQUEST, null, false, null, request, null, null, null, null);
  }

  public static Input pod(PodStatus pod) {
    return new Input(Kind.POD_STATUS, null, false, null, null, pod, null, null, null);
  }

  public static Input inventory(PodInventory inventory) {
    return new Input(Kind.POD_INVENTORY, null, false, null, null, null, inventory, null, null);
  }

  public static Input metrics(PodMetrics metrics) {
    return new Input(Kind.POD_METRICS, null, false, null, null, null, null, metrics, null);
  }

  public static Input drain(DrainRequest drain) {
    return new Input(Kind.DRAIN, null, false, null, null, null, null, null, drain);
  }
}
