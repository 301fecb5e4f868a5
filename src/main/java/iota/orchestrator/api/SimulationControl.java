package iota.orchestrator.api;

import java.util.Map;

/**
 * The load knobs of a SIMULATED worker fleet, behind {@code PUT /v1/api/simulation/load/...}. Only
 * {@code embedded} mode with simulated workers has one; elsewhere those routes answer 404.
 */
public interface SimulationControl {

  /**
   * A load in the units people set it in.
   *
   * @param cpuMillis millicores, fractions allowed
   * @param memoryMiB mebibytes, fractions allowed
   */
  record Load(double cpuMillis, double memoryMiB) {
    public Load {
      if (!(cpuMillis >= 0) || !Double.isFinite(cpuMillis)) {
        throw new IllegalArgumentException("cpuMillis must be a non-negative number, got " + cpuMillis);
      }
      if (!(memoryMiB >= 0) || !Double.isFinite(memoryMiB)) {
        throw new IllegalArgumentException("memoryMiB must be a non-negative number, got " + memoryMiB);
      }
    }
  }

  /**
   * A type's settings after a change.
   *
   * @param idle what a pod of the type uses with no resources
   * @param perResource the load of every resource of the type without one of its own
   * @param resources the resources with a load of their own, by id
   */
  record Settings(String resource, Load idle, Load perResource, Map<String, Load> resources) {}

  /** Sets the load of every resource of {@code resource} that has none of its own. */
  Settings setDefault(String resource, Load load);

  /** Sets the load of one resource. */
  Settings setResource(String resource, String id, Load load);
}
