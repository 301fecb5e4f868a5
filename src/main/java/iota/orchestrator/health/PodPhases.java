package iota.orchestrator.health;

import java.util.List;

/** The phases of a Kubernetes pod, and which of them the pod does not leave by itself. */
public final class PodPhases {
  /** Every phase a pod status may carry. */
  public static final List<String> ALL = List.of("Pending", "Running", "Succeeded", "Failed", "Unknown");

  public static final String RUNNING = "Running";

  private PodPhases() {}

  /**
   * True when the pod is gone or in a phase from which it will not come back by itself (Succeeded,
   * Failed, Unknown): its instance needs a new pod.
   */
  public static boolean isTerminal(String phase, boolean gone) {
    return gone || "Succeeded".equals(phase) || "Failed".equals(phase) || "Unknown".equals(phase);
  }
}
