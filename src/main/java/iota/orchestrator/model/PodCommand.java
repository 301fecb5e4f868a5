package iota.orchestrator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A command on {@code iota.orchestrator.pod-commands}, keyed {@code <Resource>/<instanceId>} so the
 * commands of one instance stay in order. Applying one twice is harmless.
 *
 * @param commandId unique and stable: the same inputs replayed give the same id
 * @param action what to do with the pod of the instance
 * @param instanceName the pod template folder and pod name prefix (e.g. {@code iota-dac})
 * @param reason why, for the log and the operator
 * @param after assignments that must be in ZooKeeper before the command is applied (a scale-down deletes
 *     a pod only once its emptied assignment is written); empty for other commands, and then absent from
 *     the JSON
 */
public record PodCommand(
    String commandId, Action action, String resource, String instanceId, String instanceName, String reason,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Precondition> after) {

  public PodCommand {
    after = after == null ? List.of() : List.copyOf(after);
  }

  /** A command with no precondition. */
  public PodCommand(String commandId, Action action, String resource, String instanceId, String instanceName, String reason) {
    this(commandId, action, resource, instanceId, instanceName, reason, List.of());
  }

  /** Pod actions. */
  public enum Action {
    create,
    delete,
    recreate
  }

  public String key() {
    return Assignment.key(resource, instanceId);
  }

  public String podName() {
    return podName(instanceName, instanceId);
  }

  public static String podName(String instanceName, String instanceId) {
    return instanceName + "-" + instanceId;
  }
}
