package iota.orchestrator.config;

import iota.orchestrator.model.OrchestrationParams;
import java.util.List;
import java.util.Optional;

/**
 * A resource type the orchestrator places: its table, the instance (pod template) name, whether
 * its workers heartbeat, the tables whose changes reload every instance, and its default
 * orchestration parameters.
 */
public record ResourceType(
    String name, String instanceName, boolean heart, List<String> dependsOn, OrchestrationParams.Sizing defaults) {

  public ResourceType {
    dependsOn = List.copyOf(dependsOn);
  }

  public static final OrchestrationParams.Sizing DEFAULT_SIZING = new OrchestrationParams.Sizing(10, 100, 5000);

  public static ResourceType thing() {
    return new ResourceType("Thing", "iota-dac", true, List.of("ProtocolMeta", "DeviceMeta"), DEFAULT_SIZING);
  }

  public static ResourceType rule() {
    return new ResourceType("Rule", "iota-rules-engine", false, List.of(), DEFAULT_SIZING);
  }

  /** The built-in description of a type of that name (Thing, Rule), the base its keys override. */
  public static Optional<ResourceType> builtin(String name) {
    return switch (name) {
      case "Thing" -> Optional.of(thing());
      case "Rule" -> Optional.of(rule());
      default -> Optional.empty();
    };
  }
}
