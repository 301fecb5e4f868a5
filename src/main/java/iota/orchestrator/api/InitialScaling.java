package iota.orchestrator.api;

import iota.orchestrator.autoscale.ScalingParams;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ResourceType;

/**
 * What a type's scaling report says before the topology stored its first one: whether the type is
 * autoscaled and its targets. These are issue 12's defaults (Thing on, other types off; 70 % CPU,
 * 80 % memory, as {@link ScalingParams#defaults}): {@code iota.resource.<type>.autoscale} and {@code
 * .target.cpu|memory.utilization} are not declared in {@code ConfigKeys} yet, and once they are, this
 * is where the REST layer reads them.
 *
 * @param enabled whether the type is autoscaled
 * @param target the target utilization per metric
 */
public record InitialScaling(boolean enabled, ScalingReport.Utilization target) {

  /** The settings of {@code type}. */
  public static InitialScaling of(ResourceType type) {
    ScalingParams defaults =
        ScalingParams.defaults(type.defaults().initInstances(), type.defaults().maxInstances(), type.defaults().resourcePerInstance());
    return new InitialScaling(
        type.name().equals("Thing"), new ScalingReport.Utilization(defaults.targetCpuUtilization(), defaults.targetMemoryUtilization()));
  }

  /** The report of {@code resource} with a pool of {@code current} instances: nothing measured, no events. */
  public ScalingReport report(String resource, int current) {
    return ScalingReport.initial(resource, enabled, current, target);
  }
}
