package iota.orchestrator.topology;

import iota.orchestrator.config.ResourceType;
import iota.orchestrator.placement.TypePlan;
import java.util.TreeMap;

/**
 * The cached state of one resource type in its task: a copy of what the stores hold, so the hot
 * path reads memory only. {@link PlanCache} builds it and writes every change through to the stores.
 */
final class TypeRuntime {
  final ResourceType type;
  TypeState state;
  final TypePlan plan;
  /** Every instance ever created, including removed markers (they keep the sequence going). */
  final TreeMap<Integer, InstanceState> instances = new TreeMap<>();

  TypeRuntime(ResourceType type, TypeState state, TypePlan plan) {
    this.type = type;
    this.state = state;
    this.plan = plan;
  }

  String name() {
    return type.name();
  }
}
